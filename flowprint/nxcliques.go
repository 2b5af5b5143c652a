package flowprint

import "slices"

// nxCliques calls emit with every maximal clique of a graph in the order
// in which networkx 2.8.8's find_cliques yields them when run by CPython
// 3.11 on the reference's correlation graph (spec §3.4). The graph has
// nodes 0..n-1, numbered in the order the reference inserts them; adj[u]
// lists u's neighbours in increasing number (the order of G[u]), and
// hash[u] is the CPython hash of node u (pyFrozensetHash of its windows).
// The slice passed to emit is find_cliques' list Q (nodes in the order
// they were chosen) and is reused.
//
// find_cliques is Bron-Kerbosch with Tomita pivoting, kept iterative:
// adj sets, cand = set(G) and subg = cand.copy(); the pivot is the first
// node of subg in iteration order with the most neighbours in cand; the
// nodes to expand are ext_u = cand - adj[pivot], taken by ext_u.pop().
// The order therefore depends on CPython's set tables, modelled by pySets.
func nxCliques(hash []uint64, adj [][]int32, emit func([]int32)) {
	nxCliquesOn(newPySets(hash), adj, nil, emit)
}

// nxCliqueOrder returns the positions in nxCliques order of the given
// maximal cliques (sorted node lists; position 0 is the first of them to
// be enumerated, -1 a list that is no maximal clique). Only the branches
// of the enumeration that lead to one of them are followed: find_cliques
// never changes a branch's sets in a sub-branch, so skipping the others
// leaves the order of the rest unchanged.
func nxCliqueOrder(hash []uint64, adj [][]int32, cliques [][]int32) []int {
	pos := make([]int, len(cliques))
	for i := range pos {
		pos[i] = -1
	}
	all := make([]int, len(cliques))
	for i := range all {
		all[i] = i
	}
	// live[d] lists the cliques holding the first d nodes of Q; nodes are
	// chosen depth first, so live[d] always belongs to the current Q[:d].
	live := [][]int{all}
	holds := func(i int, v int32) bool {
		_, ok := slices.BinarySearch(cliques[i], v)
		return ok
	}
	keep := func(q []int32) bool {
		d := len(q)
		live = append(live[:d], nil)
		for _, i := range live[d-1] {
			if holds(i, q[d-1]) {
				live[d] = append(live[d], i)
			}
		}
		return len(live[d]) > 0
	}
	next := 0
	nxCliquesOn(newPySets(hash), adj, keep, func(q []int32) {
		for _, i := range live[len(q)] {
			if len(cliques[i]) == len(q) {
				pos[i] = next
				next++
			}
		}
	})
	return pos
}

// nxCliquesOn is nxCliques with the given set maker. When keep is not nil,
// a branch Q (the nodes chosen so far, the newest last) is followed only if
// keep(Q) is true; a maximal clique is a branch.
func nxCliquesOn(ps *pySets, adj [][]int32, keep func([]int32) bool, emit func([]int32)) {
	n := len(adj)
	if n == 0 {
		return
	}
	adjSet := make([]*pySet, n)
	for u, list := range adj {
		s := ps.empty()
		for _, v := range list {
			if int(v) != u {
				ps.add(s, v)
			}
		}
		adjSet[u] = s
	}
	cand := ps.empty()
	for u := range n {
		ps.add(cand, int32(u))
	}
	subg := ps.copy(cand)
	type frame struct{ subg, cand, ext *pySet }
	var stack []frame
	q := []int32{-1}
	pivotExt := func(subg, cand *pySet) *pySet {
		u, best := int32(-1), -1
		for _, v := range subg.slots {
			if v >= 0 {
				if c := ps.andLen(cand, adjSet[v]); c > best {
					u, best = v, c
				}
			}
		}
		return ps.sub(cand, adjSet[u])
	}
	ext := pivotExt(subg, cand)
	for {
		if ext.used == 0 {
			q = q[:len(q)-1]
			if len(stack) == 0 {
				return
			}
			ps.release(subg)
			ps.release(cand)
			ps.release(ext)
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			subg, cand, ext = top.subg, top.cand, top.ext
			continue
		}
		v := ps.pop(ext)
		ps.remove(cand, v)
		q[len(q)-1] = v
		if keep != nil && !keep(q) {
			continue
		}
		subgQ := ps.and(subg, adjSet[v])
		if subgQ.used == 0 {
			ps.release(subgQ)
			emit(q)
			continue
		}
		candQ := ps.and(cand, adjSet[v])
		if candQ.used == 0 {
			ps.release(subgQ)
			ps.release(candQ)
			continue
		}
		stack = append(stack, frame{subg, cand, ext})
		q = append(q, -1)
		subg, cand = subgQ, candQ
		ext = pivotExt(subg, cand)
	}
}
