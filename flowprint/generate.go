package flowprint

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unsafe"
)

// Result is the outcome of Generate.
type Result struct {
	// Fingerprints are the distinct fingerprint objects produced. As in
	// the reference, two objects may hold the same element set with
	// different NFlows (the same fingerprint found in two batches).
	Fingerprints []Fingerprint
	// Of gives, for each input flow, the index of its fingerprint in
	// Fingerprints, or -1 when the flow has none (every flow is -1 only
	// when no fingerprint was found at all).
	Of []int
}

// fp is a fingerprint object during generation: sorted element ids.
type fp struct {
	elems []int32
	n     int
	key   string
}

func newFP(elems []int32, n int) *fp {
	f := &fp{elems: elems, n: n}
	if len(elems) > 0 {
		f.key = string(unsafe.Slice((*byte)(unsafe.Pointer(&elems[0])), 4*len(elems)))
	}
	return f
}

// compareFP orders fingerprints by (size, n_flows, element ids): the
// reference's (size, n_flows) order with a deterministic tie-break.
func compareFP(a, b *fp) int {
	if c := cmp.Compare(len(a.elems), len(b.elems)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.n, b.n); c != 0 {
		return c
	}
	return slices.Compare(a.elems, b.elems)
}

type generator struct {
	p     Params
	flows FlowSet
	times []float64 // activity's buffer
	order []int32   // sorted position -> input index
	start []float64
	dst   []int32
	cert  []int32 // 0 = no certificate
	elems []Element

	owner  []int32 // element id -> cluster (per batch), -1 none
	counts []int32
	bitmap []uint64
	rank   []int32 // element id -> canonical rank
}

// pyFloorDiv is Python's float floor division a // b (CPython's
// float_floor_div), which the reference uses for window indices: unlike
// math.Floor(a/b) it does not round up when a/b rounds to an integer.
func pyFloorDiv(a, b float64) float64 {
	mod := math.Mod(a, b)
	div := (a - mod) / b
	if mod != 0 && (b < 0) != (mod < 0) {
		div -= 1
	}
	if div == 0 {
		return math.Copysign(0, a/b)
	}
	floor := math.Floor(div)
	if div-floor > 0.5 {
		floor++
	}
	return floor
}

// Generate computes the fingerprint of every flow (the reference's
// FingerprintGenerator.fit_predict, spec §3). Labels are not used.
//
// Ties between cliques of equal size and flow count go, as in the
// reference, to the clique networkx enumerates last (cliqueWinners). Two
// orders follow rules of their own: flows with equal start times keep
// their input order, and similar fingerprint pairs merge in the fixed
// order described on merge, where the reference's order changes with
// PYTHONHASHSEED (see the package documentation).
func Generate(flows []Flow, p Params) (*Result, error) {
	return GenerateSet(Flows(flows), p)
}

// GenerateSet is Generate on the flows of a FlowSet: the same flows in
// any FlowSet give the same Result.
func GenerateSet(flows FlowSet, p Params) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	n := flows.Len()
	g := &generator{p: p, flows: flows}
	res := &Result{Of: make([]int, n)}
	if n == 0 {
		return res, nil
	}
	for i := range n {
		if start, end := flows.Span(i); math.IsNaN(start) || math.IsInf(start, 0) || math.IsNaN(end) || math.IsInf(end, 0) {
			return nil, fmt.Errorf("flowprint: flow %d (%s): time is not a finite number", i, flows.Name(i))
		}
	}
	g.prepare()
	assign := make([]*fp, n)
	for _, r := range g.batches() {
		g.batch(r[0], r[1], assign[r[0]:r[1]])
	}
	g.merge(assign)
	g.fillGaps(0, assign)

	ids := make(map[*fp]int)
	for pos, f := range assign {
		in := g.order[pos]
		if f == nil || len(f.elems) == 0 {
			res.Of[in] = -1
			continue
		}
		id, ok := ids[f]
		if !ok {
			id = len(res.Fingerprints)
			ids[f] = id
			res.Fingerprints = append(res.Fingerprints, g.export(f))
		}
		res.Of[in] = id
	}
	// Number fingerprint objects in order of first input flow, the order
	// in which the reference's model meets them.
	perm := make([]int, len(res.Fingerprints))
	for i := range perm {
		perm[i] = -1
	}
	next := 0
	fps := make([]Fingerprint, len(res.Fingerprints))
	for i, id := range res.Of {
		if id < 0 {
			continue
		}
		if perm[id] < 0 {
			perm[id] = next
			fps[next] = res.Fingerprints[id]
			next++
		}
		res.Of[i] = perm[id]
	}
	res.Fingerprints = fps
	return res, nil
}

func (g *generator) export(f *fp) Fingerprint {
	if g.rank == nil {
		// Rank every element once in canonical order.
		ids := make([]int32, len(g.elems))
		for i := range ids {
			ids[i] = int32(i)
		}
		keys := make([]string, len(g.elems))
		for i, e := range g.elems {
			if e.Kind == Destination {
				keys[i] = e.Addr.String()
			}
		}
		slices.SortFunc(ids, func(a, b int32) int {
			ea, eb := g.elems[a], g.elems[b]
			if ea.Kind == Destination && eb.Kind == Destination {
				if c := strings.Compare(keys[a], keys[b]); c != 0 {
					return c
				}
			}
			return CompareElements(ea, eb)
		})
		g.rank = make([]int32, len(g.elems))
		for r, id := range ids {
			g.rank[id] = int32(r)
		}
	}
	ids := slices.Clone(f.elems)
	slices.SortFunc(ids, func(a, b int32) int { return cmp.Compare(g.rank[a], g.rank[b]) })
	e := make([]Element, len(ids))
	for i, id := range ids {
		e[i] = g.elems[id]
	}
	return Fingerprint{Elements: e, NFlows: f.n}
}

// prepare sorts flows by start time and interns their elements.
func (g *generator) prepare() {
	n := g.flows.Len()
	g.order = make([]int32, n)
	starts := make([]float64, n)
	for i := range g.order {
		g.order[i] = int32(i)
		starts[i], _ = g.flows.Span(i)
	}
	slices.SortStableFunc(g.order, func(a, b int32) int {
		return cmp.Compare(starts[a], starts[b])
	})
	g.start = make([]float64, n)
	g.dst = make([]int32, n)
	g.cert = make([]int32, n)
	g.elems = append(g.elems, Element{Kind: NoCertificate})
	dsts := make(map[Element]int32)
	certs := make(map[string]int32)
	for pos, in := range g.order {
		g.start[pos] = starts[in]
		d := g.flows.Destination(int(in))
		id, ok := dsts[d]
		if !ok {
			id = int32(len(g.elems))
			g.elems = append(g.elems, d)
			dsts[d] = id
		}
		g.dst[pos] = id
		if c := g.flows.Certificate(int(in)); c != "" {
			id, ok := certs[c]
			if !ok {
				id = int32(len(g.elems))
				g.elems = append(g.elems, CertificateElement(c))
				certs[c] = id
			}
			g.cert[pos] = id
		}
	}
	m := len(g.elems)
	g.owner = make([]int32, m)
	for i := range g.owner {
		g.owner[i] = -1
	}
}

// batches returns the [lo, hi) position ranges of the non-empty batches:
// numpy.histogram bin edges over the start times with
// max(1, ceil(span/batch)) bins, a flow's batch being the number of left
// edges <= its start (numpy.digitize).
func (g *generator) batches() [][2]int {
	n := len(g.start)
	tmin, tmax := g.start[0], g.start[n-1]
	span := tmax - tmin
	nbf := math.Ceil(span / g.p.Batch)
	nb := 1
	if nbf > 1 {
		nb = int(min(nbf, 1<<52))
	}
	lo, hi := tmin, tmax
	if lo == hi {
		lo -= 0.5
		hi += 0.5
	}
	step := (hi - lo) / float64(nb)
	// edge(i) = i*step + lo, as numpy.linspace computes the edges.
	edge := func(i int) float64 { return float64(i)*step + lo }
	// binOf counts the edges 0..nb-1 that are <= t: an estimate from the
	// bin width, corrected against the exact edges.
	binOf := func(t float64) int {
		k := int(min(max((t-lo)/step, 0), float64(nb-1))) + 1
		for k > 1 && edge(k-1) > t {
			k--
		}
		for k < nb && edge(k) <= t {
			k++
		}
		if k == 1 && edge(0) > t {
			k = 0
		}
		return k
	}
	if g.p.FixedBatches {
		binOf = func(t float64) int { return int(min(pyFloorDiv(t-tmin, g.p.Batch), 1<<52)) }
	}
	var out [][2]int
	pos := 0
	for pos < n {
		b := binOf(g.start[pos])
		end := pos + 1
		for end < n && binOf(g.start[end]) == b {
			end++
		}
		out = append(out, [2]int{pos, end})
		pos = end
	}
	return out
}

// cluster is a network-destination cluster of one batch (spec §3.2): its
// destination and certificate elements, whether one of its flows has no
// certificate, and its flows' positions. A cluster joined into another is
// dead.
type cluster struct {
	dsts  []int32
	certs []int32
	null  bool
	flows []int32 // positions
	dead  bool
}

// batch fingerprints the flows at positions [lo, hi) (spec §3.2-3.6) and
// writes them to out.
func (g *generator) batch(lo, hi int, out []*fp) {
	clusters := g.clusterBatch(lo, hi)
	nodes, nodeCl := g.activity(g.start[lo], clusters)
	adj := g.graph(nodes)
	// §3.3-3.4 maximal cliques -> fingerprints. Every element except
	// NoCertificate belongs to exactly one cluster, hence one node, so the
	// largest fingerprint holding an element is the largest clique holding
	// its node; NoCertificate goes to the largest clique holding a cluster
	// with a certificate-less flow. Only these winning cliques become
	// fingerprint objects (the others are never assigned to a flow).
	bestNode, bestNull := cliqueWinners(nodes, adj, clusterInfo(nodeCl, clusters))
	g.assignBatch(lo, out, clusters, nodeCl, bestNode, bestNull)
	// Reset the element owners of this batch.
	for pos := lo; pos < hi; pos++ {
		g.owner[g.dst[pos]] = -1
		g.owner[g.cert[pos]] = -1
	}
	g.fillGaps(lo, out)
	g.merge(out)
}

// clusterBatch is the destination clustering of §3.2 over the flows at
// positions [lo, hi): a flow joins the cluster of its destination or its
// certificate, and joins the two when they differ. It records each
// element's cluster in g.owner.
func (g *generator) clusterBatch(lo, hi int) []cluster {
	var clusters []cluster
	for pos := lo; pos < hi; pos++ {
		d, c := g.dst[pos], g.cert[pos]
		a := int32(-1)
		if c != 0 {
			a = g.owner[c]
		}
		b := g.owner[d]
		var k int32
		switch {
		case a >= 0 && b >= 0 && a != b:
			k = int32(len(clusters))
			clusters = append(clusters, g.joinClusters(&clusters[a], &clusters[b], k))
		case a >= 0:
			k = a
		case b >= 0:
			k = b
		default:
			k = int32(len(clusters))
			clusters = append(clusters, cluster{})
		}
		cl := &clusters[k]
		cl.flows = append(cl.flows, int32(pos))
		if g.owner[d] != k {
			cl.dsts = append(cl.dsts, d)
			g.owner[d] = k
		}
		if c != 0 {
			if g.owner[c] != k {
				cl.certs = append(cl.certs, c)
				g.owner[c] = k
			}
		} else if !g.p.NoNullCertificate {
			cl.null = true
		}
	}
	return clusters
}

// joinClusters returns the union of clusters ca and cb, to be cluster k,
// makes its elements owned by k and leaves ca and cb dead and empty.
func (g *generator) joinClusters(ca, cb *cluster, k int32) cluster {
	m := cluster{
		dsts:  append(append(make([]int32, 0, len(ca.dsts)+len(cb.dsts)+1), ca.dsts...), cb.dsts...),
		certs: append(append(make([]int32, 0, len(ca.certs)+len(cb.certs)+1), ca.certs...), cb.certs...),
		null:  ca.null || cb.null,
		flows: append(append(make([]int32, 0, len(ca.flows)+len(cb.flows)+1), ca.flows...), cb.flows...),
	}
	ca.dead, cb.dead = true, true
	ca.dsts, ca.certs, ca.flows, cb.dsts, cb.certs, cb.flows = nil, nil, nil, nil, nil, nil
	for _, e := range m.dsts {
		g.owner[e] = k
	}
	for _, e := range m.certs {
		g.owner[e] = k
	}
	return m
}

// activity is §3.3's activity of each live cluster: the sorted set of the
// Window-wide windows, counted from t0, in which its flows have packets.
// Clusters of equal activity are collapsed into one graph node: it
// returns each node's windows and clusters.
func (g *generator) activity(t0 float64, clusters []cluster) (nodes, nodeCl [][]int32) {
	byKey := make(map[string]int32)
	var scratch []int32
	for k := range clusters {
		cl := &clusters[k]
		if cl.dead {
			continue
		}
		scratch = scratch[:0]
		for _, pos := range cl.flows {
			g.times = g.flows.AppendTimes(g.times[:0], int(g.order[pos]))
			last := int32(math.MinInt32)
			for _, t := range g.times {
				w := int32(pyFloorDiv(t-t0, g.p.Window))
				if w != last {
					scratch = append(scratch, w)
					last = w
				}
			}
		}
		scratch = sortUnique(scratch, &g.bitmap)
		key := string(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(scratch))), 4*len(scratch)))
		node, ok := byKey[key]
		if !ok {
			node = int32(len(nodes))
			byKey[key] = node
			nodes = append(nodes, slices.Clone(scratch))
			nodeCl = append(nodeCl, nil)
		}
		nodeCl[node] = append(nodeCl[node], int32(k))
	}
	return nodes, nodeCl
}

// clusterInfo sums, per graph node, what its clusters add to a clique.
func clusterInfo(nodeCl [][]int32, clusters []cluster) nodeInfo {
	nn := len(nodeCl)
	info := nodeInfo{elems: make([]int, nn), flows: make([]int, nn), null: make([]bool, nn), clusters: make([]int, nn)}
	for v := range nodeCl {
		for _, k := range nodeCl[v] {
			cl := &clusters[k]
			info.elems[v] += len(cl.dsts) + len(cl.certs)
			info.flows[v] += len(cl.flows)
			info.null[v] = info.null[v] || cl.null
			info.clusters[v]++
		}
	}
	return info
}

// assignBatch writes to out the fingerprint of every flow of the batch
// starting at position lo: the winning clique of its destination's node,
// else, for a flow without certificate, NoCertificate's (nil: none).
func (g *generator) assignBatch(lo int, out []*fp, clusters []cluster, nodeCl [][]int32, bestNode []*clique, bestNull *clique) {
	nodeOf := make([]int32, len(clusters))
	for v := range nodeCl {
		for _, k := range nodeCl[v] {
			nodeOf[k] = int32(v)
		}
	}
	for i := range out {
		pos := lo + i
		var f *fp
		if k := g.owner[g.dst[pos]]; k >= 0 {
			f = materialise(bestNode[nodeOf[k]], nodeCl, clusters)
		}
		if f == nil && g.cert[pos] == 0 {
			f = materialise(bestNull, nodeCl, clusters)
		}
		out[i] = f
	}
}

// materialise returns the fingerprint of clique c (nil for a nil c),
// making it on first use: the elements of the clusters of its nodes,
// NoCertificate included when one has a certificate-less flow.
func materialise(c *clique, nodeCl [][]int32, clusters []cluster) *fp {
	if c == nil {
		return nil
	}
	if c.fp == nil {
		var e []int32
		null := false
		for _, v := range c.nodes {
			for _, k := range nodeCl[v] {
				cl := &clusters[k]
				e = append(e, cl.dsts...)
				e = append(e, cl.certs...)
				null = null || cl.null
			}
		}
		if null {
			e = append(e, 0)
		}
		slices.Sort(e)
		c.fp = newFP(e, c.n)
	}
	return c.fp
}

// graph returns the sorted adjacency lists of the correlation graph over
// the activity nodes: an edge joins two nodes whose window sets intersect
// with Jaccard index >= Correlation; Correlation <= 0 gives the complete
// graph.
func (g *generator) graph(nodes [][]int32) [][]int32 {
	n := len(nodes)
	adj := make([][]int32, n)
	if g.p.Correlation <= 0 {
		for i := range adj {
			adj[i] = make([]int32, 0, n-1)
			for j := 0; j < n; j++ {
				if j != i {
					adj[i] = append(adj[i], int32(j))
				}
			}
		}
		return adj
	}
	index := make(map[int32][]int32)
	for v, ws := range nodes {
		for _, w := range ws {
			index[w] = append(index[w], int32(v))
		}
	}
	if cap(g.counts) < n {
		g.counts = make([]int32, n)
	}
	counts := g.counts[:n]
	var touched []int32
	for x, ws := range nodes {
		touched = touched[:0]
		for _, w := range ws {
			for _, y := range index[w] {
				if int(y) <= x {
					continue
				}
				if counts[y] == 0 {
					touched = append(touched, y)
				}
				counts[y]++
			}
		}
		for _, y := range touched {
			inter := int(counts[y])
			counts[y] = 0
			union := len(ws) + len(nodes[y]) - inter
			if float64(inter)/float64(union) >= g.p.Correlation {
				adj[x] = append(adj[x], y)
				adj[y] = append(adj[y], int32(x))
			}
		}
	}
	for i := range adj {
		slices.Sort(adj[i])
	}
	return adj
}

// fillGaps gives every flow without fingerprint in out (positions
// offset..offset+len(out)-1, in start-time order) the fingerprint of the
// nearer in time of the flows just before and after its run (spec §3.5:
// strictly nearer to the one before, else the one after).
func (g *generator) fillGaps(offset int, out []*fp) {
	n := len(out)
	for i := 0; i < n; {
		if out[i] != nil {
			i++
			continue
		}
		j := i
		for j+1 < n && out[j+1] == nil {
			j++
		}
		tb, ta := math.Inf(1), math.Inf(1)
		var fb, fa *fp
		if i-1 >= 0 {
			tb, fb = g.start[offset+i-1], out[i-1]
		}
		if j+1 < n {
			ta, fa = g.start[offset+j+1], out[j+1]
		}
		for k := i; k <= j; k++ {
			t := g.start[offset+k]
			if math.Abs(t-tb) < math.Abs(t-ta) {
				out[k] = fb
			} else {
				out[k] = fa
			}
		}
		i = j + 1
	}
}
