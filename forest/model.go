package forest

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math"
)

// modelFormat names the gob envelope of a saved forest and FormatVersion
// its layout; Load refuses other formats and versions.
const (
	modelFormat = "appbench/forest"
	// FormatVersion is the version of the saved-model layout written by
	// Save. Version 3 packs leaves of one class into their parent node
	// (Node.Split); version 2 (such leaves as nodes of their own) and
	// version 1 (every leaf in the leaf tables) are still read, and
	// converted.
	FormatVersion = 3
)

// ErrModel is wrapped by every error about a damaged or foreign model file.
var ErrModel = errors.New("invalid forest model")

type envelope struct {
	Format  string
	Version int
	Forest  *Forest
}

// wireEnvelope is what Load decodes: a forest of any version, its nodes
// with the fields of every version (gob fills those the file has).
type wireEnvelope struct {
	Format  string
	Version int
	Forest  *struct {
		Classes, Features, FeatureBits int
		Trees                          []struct {
			Nodes                []wireNode
			LeafStart, LeafClass []int32
			LeafProb             []float64
		}
	}
}

// wireNode is a node of any version: versions 1 and 2 have Feature (a
// split feature, pureLeafV2, or -1-leaf) and Right; version 3 is Node.
type wireNode struct {
	Threshold float64
	Feature   int32
	Split     uint32
	Right     int32
}

// pureLeafV2 is a version 2 node's Feature in a leaf of one class, whose
// class is then in Right.
const pureLeafV2 = math.MinInt32

// Save writes the forest to w (encoding/gob, versioned).
func (f *Forest) Save(w io.Writer) error {
	if err := gob.NewEncoder(w).Encode(envelope{Format: modelFormat, Version: FormatVersion, Forest: f}); err != nil {
		return fmt.Errorf("forest: save: %w", err)
	}
	return nil
}

// Load reads a forest written by Save (of this version or an earlier one)
// and checks its structure, so that a damaged file gives an error rather
// than a panic or an endless loop at prediction time.
func Load(r io.Reader) (*Forest, error) {
	var e wireEnvelope
	if err := gob.NewDecoder(r).Decode(&e); err != nil {
		return nil, fmt.Errorf("forest: load: %w (%w)", err, ErrModel)
	}
	if e.Format != modelFormat {
		return nil, fmt.Errorf("forest: load: format %q, want %q: %w", e.Format, modelFormat, ErrModel)
	}
	if e.Version < 1 || e.Version > FormatVersion {
		return nil, fmt.Errorf("forest: load: format version %d, this build reads 1 to %d: %w", e.Version, FormatVersion, ErrModel)
	}
	if e.Forest == nil {
		return nil, fmt.Errorf("forest: load: no forest in file: %w", ErrModel)
	}
	w := e.Forest
	f := &Forest{Classes: w.Classes, Features: w.Features, FeatureBits: w.FeatureBits, Trees: make([]Tree, len(w.Trees))}
	if e.Version < 3 {
		fb, err := layoutFor(f.Features, f.Classes)
		if err != nil {
			return nil, fmt.Errorf("forest: load: %w (%w)", err, ErrModel)
		}
		f.FeatureBits = fb
	}
	for ti, wt := range w.Trees {
		t := Tree{LeafStart: wt.LeafStart, LeafClass: wt.LeafClass, LeafProb: wt.LeafProb}
		if e.Version < 3 {
			nodes, err := convertV2(wt.Nodes, len(wt.LeafStart)-1, f)
			if err != nil {
				return nil, fmt.Errorf("forest: load: tree %d: %w", ti, err)
			}
			t.Nodes = nodes
		} else {
			t.Nodes = make([]Node, len(wt.Nodes))
			for i, n := range wt.Nodes {
				t.Nodes[i] = Node{Threshold: n.Threshold, Split: n.Split, Right: n.Right}
			}
		}
		f.Trees[ti] = t
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("forest: load: %w", err)
	}
	return f, nil
}

// convertV2 turns the nodes of a version 1 or 2 tree with leaves leaves
// of several classes into the nodes of f's layout: the same tree, its
// leaves of one class folded into their parents.
func convertV2(old []wireNode, leaves int, f *Forest) ([]Node, error) {
	l := f.layout()
	out := make([]Node, 0, len(old))
	// emit appends old node i and its subtree; it returns the child code
	// the parent records: a leaf of one class folds into the parent
	// (fold), anything else is the node's new index.
	var emit func(i int32, root bool) (code int32, fold bool, err error)
	emit = func(i int32, root bool) (int32, bool, error) {
		if i < 0 || int(i) >= len(old) {
			return 0, false, fmt.Errorf("node %d of %d: %w", i, len(old), ErrModel)
		}
		n := old[i]
		idx := int32(len(out))
		switch {
		case n.Feature == pureLeafV2:
			if n.Right < 0 || int(n.Right) >= f.Classes {
				return 0, false, fmt.Errorf("node %d: leaf class %d of %d: %w", i, n.Right, f.Classes, ErrModel)
			}
			if !root {
				return pureCode(n.Right), true, nil
			}
			out = append(out, Node{Split: l.mask, Right: pureCode(n.Right)})
			return idx, false, nil
		case n.Feature < 0:
			if leaf := -1 - n.Feature; int(leaf) < leaves {
				out = append(out, Node{Split: l.mask, Right: leaf})
				return idx, false, nil
			}
			return 0, false, fmt.Errorf("node %d: leaf %d of %d: %w", i, -1-n.Feature, leaves, ErrModel)
		case int(n.Feature) >= f.Features || n.Right <= i+1:
			return 0, false, fmt.Errorf("node %d: feature %d, right child %d: %w", i, n.Feature, n.Right, ErrModel)
		}
		out = append(out, Node{Threshold: n.Threshold, Split: uint32(n.Feature)})
		left, fold, err := emit(i+1, false)
		if err != nil {
			return 0, false, err
		}
		if fold {
			out[idx].Split |= uint32(pureCode(left)+1) << l.shift
		}
		right, _, err := emit(n.Right, false)
		if err != nil {
			return 0, false, err
		}
		out[idx].Right = right
		return idx, false, nil
	}
	if _, _, err := emit(0, true); err != nil {
		return nil, err
	}
	return out, nil
}

// validate checks the invariants prediction relies on: children after
// their parent (so walks end), indices in range, probabilities finite.
func (f *Forest) validate() error {
	if f.Classes <= 0 || f.Features <= 0 || len(f.Trees) == 0 {
		return fmt.Errorf("%d classes, %d features, %d trees: %w", f.Classes, f.Features, len(f.Trees), ErrModel)
	}
	if fb, err := layoutFor(f.Features, f.Classes); err != nil || fb != f.FeatureBits {
		return fmt.Errorf("%d feature bits for %d features and %d classes: %w", f.FeatureBits, f.Features, f.Classes, ErrModel)
	}
	for ti := range f.Trees {
		if err := f.validateTree(&f.Trees[ti]); err != nil {
			return fmt.Errorf("tree %d: %w", ti, err)
		}
	}
	return nil
}

// validateTree checks one tree of f (see validate).
func (f *Forest) validateTree(t *Tree) error {
	leaves := len(t.LeafStart) - 1
	if leaves < 0 || len(t.Nodes) == 0 || t.LeafStart[0] != 0 ||
		int(t.LeafStart[leaves]) != len(t.LeafClass) || len(t.LeafClass) != len(t.LeafProb) {
		return fmt.Errorf("inconsistent leaf tables: %w", ErrModel)
	}
	for l := 0; l < leaves; l++ {
		if t.LeafStart[l] > t.LeafStart[l+1] {
			return fmt.Errorf("leaf %d: decreasing offsets: %w", l, ErrModel)
		}
	}
	for k, c := range t.LeafClass {
		p := t.LeafProb[k]
		if c < 0 || int(c) >= f.Classes || !(p >= 0 && p <= 1) {
			return fmt.Errorf("leaf entry %d: class %d, probability %v: %w", k, c, p, ErrModel)
		}
	}
	l := f.layout()
	n := int32(len(t.Nodes))
	pure := func(code int32) bool { return code < 0 && int(pureCode(code)) < f.Classes }
	for i := range t.Nodes {
		nd := &t.Nodes[i]
		feat, left := l.split(nd)
		next := int32(i) + 1
		if left != 0 {
			next = int32(i)
		}
		var ok bool
		switch {
		case feat == l.mask:
			ok = left == 0 && (pure(nd.Right) || (nd.Right >= 0 && int(nd.Right) < leaves))
		default:
			ok = int(feat) < f.Features && int(left) <= f.Classes && next < n &&
				(pure(nd.Right) || (nd.Right > next && nd.Right < n))
		}
		if !ok {
			return fmt.Errorf("node %d: feature %d, left %d, right %d of %d nodes: %w", i, feat, left, nd.Right, n, ErrModel)
		}
	}
	return nil
}
