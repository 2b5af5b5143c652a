package flowprint

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
	nxCliquesOn(newPySets(hash), adj, emit)
}

// nxCliquesOn is nxCliques with the given set maker.
func nxCliquesOn(ps *pySets, adj [][]int32, emit func([]int32)) {
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
