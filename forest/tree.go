package forest

import (
	"fmt"
	"math/bits"
)

// Node is one node of a tree, in preorder; node 0 is the root. Fully
// grown trees end mostly in leaves of one class, and those take no node
// of their own: the split above them names their class in place of a
// child index, so a tree of S splits takes about S nodes, not 2S+1.
//
// Split packs two numbers, split by the forest's FeatureBits b: the low b
// bits hold the split feature, or all ones (Forest.leafFeature) in a leaf
// node; the high bits say where a row sent left goes: 0 to the next node,
// c+1 to a leaf of class c alone.
type Node struct {
	// Threshold sends a row left when its value of the split feature is
	// <= Threshold.
	Threshold float64
	// Split holds the split feature and the left child (see Node).
	Split uint32
	// Right is the right child: a node index, or -1-c for a leaf of class
	// c alone. In a leaf node it is the leaf: -1-c for a leaf of class c
	// alone (the root of a one-leaf tree), else the index of a leaf of
	// several classes in the leaf tables.
	Right int32
}

// Tree is one fitted classification tree. A leaf l of several classes
// holds the classes LeafClass[LeafStart[l]:LeafStart[l+1]] with the
// probabilities in the same range of LeafProb (classes absent from the
// leaf are left out).
type Tree struct {
	// Nodes are the tree's nodes in preorder.
	Nodes []Node
	// LeafStart has one offset per leaf of several classes into
	// LeafClass and LeafProb, plus the end offset.
	LeafStart []int32
	// LeafClass and LeafProb are the classes present in each leaf and
	// their shares of the leaf's (bootstrap-weighted) training rows.
	LeafClass []int32
	LeafProb  []float64
}

// Forest is a fitted random forest.
type Forest struct {
	// Classes is the number of classes; labels are 0..Classes-1.
	Classes int
	// Features is the number of columns of the feature matrix.
	Features int
	// FeatureBits is the number of low bits of Node.Split that hold the
	// split feature (see layoutFor).
	FeatureBits int
	// Trees are the fitted trees.
	Trees []Tree
}

// layoutFor returns the FeatureBits of a forest of features columns and
// classes classes: enough bits for every feature index and the all-ones
// leaf mark, the others for a left leaf's class plus one. It is an error
// when 32 bits cannot hold both.
func layoutFor(features, classes int) (int, error) {
	fb := bits.Len(uint(features)) // features-1 < 2^fb - 1: all ones stays free
	if features <= 0 || classes <= 0 || fb >= 32 || bits.Len(uint(classes)) > 32-fb {
		return 0, fmt.Errorf("forest: %d features and %d classes do not fit a tree node (32 bits): %w", features, classes, ErrInput)
	}
	return fb, nil
}

// pureCode is the child code of a leaf of class c alone.
func pureCode(c int32) int32 { return -1 - c }

// nodeLayout reads Node.Split for one FeatureBits.
type nodeLayout struct {
	shift uint32
	mask  uint32 // the feature bits; all of them set marks a leaf node
}

func (f *Forest) layout() nodeLayout {
	return nodeLayout{shift: uint32(f.FeatureBits), mask: 1<<uint32(f.FeatureBits) - 1}
}

// split returns n's split feature (mask in a leaf node) and its left
// child code: 0 for the next node, c+1 for a leaf of class c.
func (l nodeLayout) split(n *Node) (feat, left uint32) {
	return n.Split & l.mask, n.Split >> l.shift
}

// leaf returns the leaf that x falls into: -1-c for a leaf of class c
// alone, else the index of a leaf of several classes.
func (t *Tree) leaf(l nodeLayout, x []float64) int32 {
	nodes := t.Nodes
	i := int32(0)
	for {
		n := &nodes[i]
		feat, left := l.split(n)
		switch {
		case feat == l.mask:
			return n.Right
		case x[feat] <= n.Threshold:
			if left != 0 {
				return pureCode(int32(left) - 1)
			}
			i++
		case n.Right < 0:
			return n.Right
		default:
			i = n.Right
		}
	}
}

// addProba adds the class distribution of the leaf x falls into to dst.
func (t *Tree) addProba(l nodeLayout, x, dst []float64) {
	leaf := t.leaf(l, x)
	if leaf < 0 {
		dst[pureCode(leaf)]++
		return
	}
	for k := t.LeafStart[leaf]; k < t.LeafStart[leaf+1]; k++ {
		dst[t.LeafClass[k]] += t.LeafProb[k]
	}
}
