package flowprint

import (
	"math/bits"
	"slices"
)

// clique is a maximal clique of the correlation graph that may become a
// fingerprint: its size (elements, NoCertificate included), flow count and
// nodes; fp is made on first use.
//
// Ties between cliques of equal size and flow count holding the same
// element go, as in the reference, to the clique that networkx's
// find_cliques enumerates last (spec §3.4; see cliqueWinners).
type clique struct {
	size, n int
	nodes   []int32
	fp      *fp
}

// nodeInfo holds, per graph node, what its clusters add to a clique:
// elements, flows, whether a flow lacks a certificate, and the number of
// clusters.
type nodeInfo struct {
	elems, flows, clusters []int
	null                   []bool
}

// cliqueSlot is the best clique found so far for one node's elements or
// for NoCertificate, with the other cliques of the same size and flow
// count.
type cliqueSlot struct {
	best *clique
	tied []*clique
}

// wants reports whether a clique of this size and flow count would be the
// best or tie with it.
func (s *cliqueSlot) wants(size, n int) bool {
	return s.best == nil || size > s.best.size || size == s.best.size && n >= s.best.n
}

func (s *cliqueSlot) offer(c *clique) {
	if b := s.best; b == nil || c.size > b.size || c.size == b.size && c.n > b.n {
		s.best, s.tied = c, s.tied[:0]
	} else if c.size == b.size && c.n == b.n {
		s.tied = append(s.tied, c)
	}
}

// cliqueWinners returns the clique whose fingerprint each node's elements
// get and the one NoCertificate gets (nil: none): the greatest by (size,
// n_flows) among the cliques of more than one cluster that hold the node
// (a certificate-less flow), and among equal ones the clique networkx's
// find_cliques enumerates last, as in the reference (spec §3.4). The
// cliques are found by the fast Bron-Kerbosch of maximalCliques; only when
// a slot is tied is the reference's order recovered, by nxCliqueOrder on
// the tied cliques.
func cliqueWinners(nodes, adj [][]int32, info nodeInfo) ([]*clique, *clique) {
	slots := make([]cliqueSlot, len(nodes)+1) // the last is NoCertificate's
	null := &slots[len(nodes)]
	maximalCliques(adj, func(nodesOf []int32) {
		ncl, size, n, hasNull := 0, 0, 0, false
		for _, v := range nodesOf {
			ncl += info.clusters[v]
			size += info.elems[v]
			n += info.flows[v]
			hasNull = hasNull || info.null[v]
		}
		if ncl < 2 {
			return
		}
		if hasNull {
			size++
		}
		var c *clique
		offer := func(s *cliqueSlot) {
			if s.wants(size, n) {
				if c == nil {
					c = &clique{size: size, n: n, nodes: slices.Clone(nodesOf)}
				}
				s.offer(c)
			}
		}
		for _, v := range nodesOf {
			offer(&slots[v])
		}
		if hasNull {
			offer(null)
		}
	})
	breakTies(nodes, adj, slots)
	best := make([]*clique, len(nodes))
	for v := range best {
		best[v] = slots[v].best
	}
	return best, null.best
}

// breakTies gives every tied slot the clique among its best and tied ones
// that networkx enumerates last.
func breakTies(nodes, adj [][]int32, slots []cliqueSlot) {
	pos := make(map[*clique]int)
	var targets []*clique
	for i := range slots {
		if len(slots[i].tied) == 0 {
			continue
		}
		for _, c := range append([]*clique{slots[i].best}, slots[i].tied...) {
			if _, ok := pos[c]; !ok {
				pos[c] = -1
				slices.Sort(c.nodes)
				targets = append(targets, c)
			}
		}
	}
	if len(targets) == 0 {
		return
	}
	hash := make([]uint64, len(nodes))
	for v, ws := range nodes {
		hash[v] = pyFrozensetHash(ws)
	}
	lists := make([][]int32, len(targets))
	for i, c := range targets {
		lists[i] = c.nodes
	}
	for i, p := range nxCliqueOrder(hash, adj, lists) {
		pos[targets[i]] = p
	}
	for i := range slots {
		s := &slots[i]
		for _, c := range s.tied {
			if pos[c] > pos[s.best] {
				s.best = c
			}
		}
		s.tied = nil
	}
}

// maxBitsetNodes bounds the graphs whose cliques are found on bit sets
// (n*n/8 bytes of adjacency); larger graphs use sorted neighbour lists.
const maxBitsetNodes = 8192

// maximalCliques calls emit with every maximal clique of the graph given by
// sorted adjacency lists (isolated nodes are cliques of one), using
// Bron-Kerbosch with Tomita pivoting on bit sets. The slice passed to emit
// is reused.
func maximalCliques(adj [][]int32, emit func([]int32)) {
	n := len(adj)
	if n == 0 {
		return
	}
	if n > maxBitsetNodes {
		maximalCliquesSparse(adj, emit)
		return
	}
	bk := newBitCliques(adj, emit)
	p := make([]uint64, bk.words)
	for v := 0; v < n; v++ {
		p[v>>6] |= 1 << (uint(v) & 63)
	}
	bk.rec(p, make([]uint64, bk.words))
}

// bitCliques is the state of maximalCliques: the adjacency matrix as bit
// sets of words words per node, the clique being grown and the scratch
// bit sets of finished recursion levels.
type bitCliques struct {
	words int
	nb    []uint64
	r     []int32
	pool  [][]uint64
	emit  func([]int32)
}

func newBitCliques(adj [][]int32, emit func([]int32)) *bitCliques {
	words := (len(adj) + 63) / 64
	nb := make([]uint64, len(adj)*words)
	for v, list := range adj {
		row := nb[v*words : (v+1)*words]
		for _, u := range list {
			row[u>>6] |= 1 << (uint(u) & 63)
		}
	}
	return &bitCliques{words: words, nb: nb, emit: emit}
}

// neigh returns the neighbour bit set of v.
func (bk *bitCliques) neigh(v int) []uint64 { return bk.nb[v*bk.words : (v+1)*bk.words] }

// get returns a scratch bit set, reused from the pool when possible.
func (bk *bitCliques) get() []uint64 {
	if k := len(bk.pool); k > 0 {
		b := bk.pool[k-1]
		bk.pool = bk.pool[:k-1]
		return b
	}
	return make([]uint64, bk.words)
}

// rec is one Bron-Kerbosch step with candidates p and excluded nodes x
// (both modified).
func (bk *bitCliques) rec(p, x []uint64) {
	empty := true
	for i := range p {
		if p[i] != 0 || x[i] != 0 {
			empty = false
			break
		}
	}
	if empty {
		bk.emit(bk.r)
		return
	}
	np := bk.neigh(bk.pivot(p, x))
	for i := range p {
		cand := p[i] &^ np[i]
		for cand != 0 {
			bit := bits.TrailingZeros64(cand)
			cand &= cand - 1
			v := i*64 + bit
			nv := bk.neigh(v)
			p2, x2 := bk.get(), bk.get()
			for j := range p {
				p2[j] = p[j] & nv[j]
				x2[j] = x[j] & nv[j]
			}
			bk.r = append(bk.r, int32(v))
			bk.rec(p2, x2)
			bk.r = bk.r[:len(bk.r)-1]
			bk.pool = append(bk.pool, p2, x2)
			p[i] &^= 1 << uint(bit)
			x[i] |= 1 << uint(bit)
		}
	}
}

// pivot returns the vertex of P ∪ X with most neighbours in P (the first
// such).
func (bk *bitCliques) pivot(p, x []uint64) int {
	pivot, best := -1, -1
	for i := range p {
		w := p[i] | x[i]
		for w != 0 {
			u := i*64 + bits.TrailingZeros64(w)
			w &= w - 1
			c := 0
			nu := bk.neigh(u)
			for j := range p {
				c += bits.OnesCount64(p[j] & nu[j])
			}
			if c > best {
				pivot, best = u, c
			}
		}
	}
	return pivot
}

// maximalCliquesSparse is maximalCliques on sorted neighbour lists, for
// graphs too large for a bit-set adjacency matrix.
func maximalCliquesSparse(adj [][]int32, emit func([]int32)) {
	p := make([]int32, len(adj))
	for i := range p {
		p[i] = int32(i)
	}
	var r []int32
	var rec func(p, x []int32)
	rec = func(p, x []int32) {
		if len(p) == 0 {
			if len(x) == 0 {
				emit(r)
			}
			return
		}
		pivot, best := int32(-1), -1
		for _, set := range [2][]int32{p, x} {
			for _, u := range set {
				if c := len(intersectSorted(p, adj[u])); c > best {
					pivot, best = u, c
				}
			}
		}
		cand := differenceSorted(p, adj[pivot])
		p = slices.Clone(p)
		x = slices.Clone(x)
		for _, v := range cand {
			r = append(r, v)
			rec(intersectSorted(p, adj[v]), intersectSorted(x, adj[v]))
			r = r[:len(r)-1]
			if i, ok := slices.BinarySearch(p, v); ok {
				p = slices.Delete(p, i, i+1)
			}
			i, _ := slices.BinarySearch(x, v)
			x = slices.Insert(x, i, v)
		}
	}
	rec(p, nil)
}
