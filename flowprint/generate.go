package flowprint

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unsafe"
)

// Params are FlowPrint's fingerprinting parameters.
type Params struct {
	// Batch is the batch length in seconds (default 300). Batches are
	// equal-width bins over the observed span of flow start times, so
	// their real width is span/ceil(span/Batch) <= Batch (reference
	// behaviour, spec §3.1).
	Batch float64
	// Window is the activity window in seconds (default 30).
	Window float64
	// Correlation is the minimum Jaccard index of two clusters' activity
	// window sets for an edge of the correlation graph (default 0.1);
	// <= 0 makes the graph complete.
	Correlation float64
	// Similarity is the minimum Jaccard index for merging two fingerprints
	// (default 0.9); >= 1 disables merging, <= 0 merges everything.
	Similarity float64
	// MergeBoundExact corrects a reference quirk: the reference compares
	// only fingerprints whose sizes L <= L2 satisfy
	// (L2-L)/L2 <= 1-Similarity in float64, which for 0.9 excludes the
	// ratio exactly 0.9 (1-0.9 = 0.09999999999999998). When true the
	// bound is evaluated with a tolerance of 1e-12, so that a ratio equal
	// to Similarity is compared as the paper intends. Default false
	// (reference).
	MergeBoundExact bool
	// NoNullCertificate corrects a reference quirk: the reference adds a
	// "no certificate" element (NoCertificate) to every cluster holding a
	// flow without certificate, so that fingerprints share it, it counts
	// in sizes and Jaccard scores, and a certificate-less flow whose
	// destination is in no fingerprint inherits the largest fingerprint
	// holding it. When true no such element exists. Default false
	// (reference).
	NoNullCertificate bool
	// FixedBatches corrects a reference quirk: the reference cuts the
	// span of flow start times into ceil(span/Batch) equal-width bins, so
	// batches are shorter than Batch. When true batch k holds the flows
	// starting in [t0 + k*Batch, t0 + (k+1)*Batch), t0 the first start.
	// Default false (reference).
	FixedBatches bool
}

// DefaultParams returns the reference defaults: batch 300 s, window 30 s,
// correlation 0.1, similarity 0.9.
func DefaultParams() Params {
	return Params{Batch: 300, Window: 30, Correlation: 0.1, Similarity: 0.9}
}

// Validate reports parameters the algorithm cannot run with.
func (p Params) Validate() error {
	if !(p.Batch > 0) || math.IsInf(p.Batch, 0) {
		return fmt.Errorf("flowprint: batch %v must be a positive number of seconds", p.Batch)
	}
	if !(p.Window > 0) || math.IsInf(p.Window, 0) {
		return fmt.Errorf("flowprint: window %v must be a positive number of seconds", p.Window)
	}
	if math.IsNaN(p.Correlation) || math.IsNaN(p.Similarity) {
		return errors.New("flowprint: correlation and similarity must be numbers")
	}
	return nil
}

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
	flows []Flow
	order []int32 // sorted position -> input index
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

// sortUnique sorts s and removes duplicates, with a bitmap over the value
// range when that is small compared to len(s).
func sortUnique(s []int32, bitmap *[]uint64) []int32 {
	if len(s) < 32 {
		slices.Sort(s)
		return slices.Compact(s)
	}
	lo, hi := s[0], s[0]
	for _, v := range s {
		lo, hi = min(lo, v), max(hi, v)
	}
	span := int(hi) - int(lo) + 1
	if span > 16*len(s) {
		slices.Sort(s)
		return slices.Compact(s)
	}
	words := (span + 63) / 64
	if cap(*bitmap) < words {
		*bitmap = make([]uint64, words)
	}
	bm := (*bitmap)[:words]
	for _, v := range s {
		d := int(v - lo)
		bm[d>>6] |= 1 << (uint(d) & 63)
	}
	s = s[:0]
	for i, w := range bm {
		for w != 0 {
			s = append(s, lo+int32(i*64+bits.TrailingZeros64(w)))
			w &= w - 1
		}
		bm[i] = 0
	}
	return s
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
	if err := p.Validate(); err != nil {
		return nil, err
	}
	g := &generator{p: p, flows: flows}
	res := &Result{Of: make([]int, len(flows))}
	if len(flows) == 0 {
		return res, nil
	}
	for i := range flows {
		f := &flows[i]
		if math.IsNaN(f.Start) || math.IsInf(f.Start, 0) || math.IsNaN(f.End) || math.IsInf(f.End, 0) {
			return nil, fmt.Errorf("flowprint: flow %d (%s stream %d of %q): time is not a finite number", i, f.Proto, f.Stream, f.Label)
		}
	}
	g.prepare()
	assign := make([]*fp, len(flows))
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
	n := len(g.flows)
	g.order = make([]int32, n)
	for i := range g.order {
		g.order[i] = int32(i)
	}
	slices.SortStableFunc(g.order, func(a, b int32) int {
		return cmp.Compare(g.flows[a].Start, g.flows[b].Start)
	})
	g.start = make([]float64, n)
	g.dst = make([]int32, n)
	g.cert = make([]int32, n)
	g.elems = append(g.elems, Element{Kind: NoCertificate})
	dsts := make(map[Element]int32)
	certs := make(map[string]int32)
	for pos, in := range g.order {
		f := &g.flows[in]
		g.start[pos] = f.Start
		d := f.Destination()
		id, ok := dsts[d]
		if !ok {
			id = int32(len(g.elems))
			g.elems = append(g.elems, d)
			dsts[d] = id
		}
		g.dst[pos] = id
		if f.Cert != "" {
			id, ok := certs[f.Cert]
			if !ok {
				id = int32(len(g.elems))
				g.elems = append(g.elems, CertificateElement(f.Cert))
				certs[f.Cert] = id
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

type cluster struct {
	dsts  []int32
	certs []int32
	null  bool
	flows []int32 // positions
	dead  bool
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

// batch fingerprints the flows at positions [lo, hi) (spec §3.2-3.6) and
// writes them to out.
func (g *generator) batch(lo, hi int, out []*fp) {
	// §3.2 destination clustering.
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
			ca, cb := &clusters[a], &clusters[b]
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
			clusters = append(clusters, m)
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

	// §3.3 activity of each live cluster, collapsed into graph nodes.
	t0 := g.start[lo]
	var (
		nodes    [][]int32 // node -> sorted window indices
		nodeCl   [][]int32 // node -> clusters
		byKey    = make(map[string]int32)
		scratch  []int32
		clusterN = make([]int32, len(clusters))
	)
	for k := range clusters {
		cl := &clusters[k]
		if cl.dead {
			continue
		}
		scratch = scratch[:0]
		for _, pos := range cl.flows {
			f := &g.flows[g.order[pos]]
			last := int32(math.MinInt32)
			for _, t := range f.Times {
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
		clusterN[k] = int32(len(cl.flows))
	}

	adj := g.graph(nodes)

	// §3.3-3.4 maximal cliques -> fingerprints. Every element except
	// NoCertificate belongs to exactly one cluster, hence one node, so the
	// largest fingerprint holding an element is the largest clique holding
	// its node; NoCertificate goes to the largest clique holding a cluster
	// with a certificate-less flow. Only these winning cliques become
	// fingerprint objects (the others are never assigned to a flow).
	nn := len(nodes)
	info := nodeInfo{elems: make([]int, nn), flows: make([]int, nn), null: make([]bool, nn), clusters: make([]int, nn)}
	for v := range nodes {
		for _, k := range nodeCl[v] {
			cl := &clusters[k]
			info.elems[v] += len(cl.dsts) + len(cl.certs)
			info.flows[v] += len(cl.flows)
			info.null[v] = info.null[v] || cl.null
			info.clusters[v]++
		}
	}
	bestNode, bestNull := cliqueWinners(nodes, adj, info)
	materialise := func(c *clique) *fp {
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
			f = materialise(bestNode[nodeOf[k]])
		}
		if f == nil && g.cert[pos] == 0 {
			f = materialise(bestNull)
		}
		out[i] = f
	}
	// Reset the element owners of this batch.
	for pos := lo; pos < hi; pos++ {
		g.owner[g.dst[pos]] = -1
		g.owner[g.cert[pos]] = -1
	}

	g.fillGaps(lo, out)
	g.merge(out)
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

// merge merges similar fingerprints among out (spec §3.6).
//
// The reference processes the similar pairs in hash-set order, and the
// result depends on that order when merges chain. Here pairs are processed
// in a fixed order: fingerprints ranked by (size, n_flows, element ids),
// pairs by (rank of the smaller, rank of the larger).
func (g *generator) merge(out []*fp) {
	s := g.p.Similarity
	if s >= 1 {
		return
	}
	// Unique non-empty fingerprints; the first object of each element set
	// represents it.
	seen := make(map[string]*fp)
	var uniq []*fp
	for _, f := range out {
		if f == nil || len(f.elems) == 0 {
			continue
		}
		if _, ok := seen[f.key]; !ok {
			seen[f.key] = f
			uniq = append(uniq, f)
		}
	}
	if len(uniq) == 0 {
		return
	}
	if s <= 0 {
		var all []int32
		n := 0
		for _, f := range uniq {
			all = append(all, f.elems...)
			n += f.n
		}
		slices.Sort(all)
		m := newFP(slices.Compact(all), n)
		for i := range out {
			out[i] = m
		}
		return
	}
	slices.SortFunc(uniq, compareFP)
	rank := make(map[*fp]int32, len(uniq))
	index := make(map[int32][]int32)
	for r, f := range uniq {
		rank[f] = int32(r)
		for _, e := range f.elems {
			index[e] = append(index[e], int32(r))
		}
	}
	counts := make([]int32, len(uniq))
	var touched []int32
	type pair struct{ a, b int32 }
	var pairs []pair
	bound := 1 - s
	for ra, a := range uniq {
		touched = touched[:0]
		for _, e := range a.elems {
			for _, rb := range index[e] {
				if int(rb) <= ra {
					continue
				}
				if counts[rb] == 0 {
					touched = append(touched, rb)
				}
				counts[rb]++
			}
		}
		slices.Sort(touched)
		for _, rb := range touched {
			inter := int(counts[rb])
			counts[rb] = 0
			b := uniq[rb]
			l, l2 := len(a.elems), len(b.elems)
			if !g.sizeCompatible(l, l2, bound) {
				continue
			}
			if jaccard(inter, l, l2) >= s {
				pairs = append(pairs, pair{int32(ra), rb})
			}
		}
	}
	if len(pairs) == 0 {
		return
	}
	mapping := make(map[string]*fp)
	get := func(f *fp) *fp {
		if m, ok := mapping[f.key]; ok {
			return m
		}
		return f
	}
	for _, p := range pairs {
		a, b := uniq[p.a], uniq[p.b]
		ma, mb := get(a), get(b)
		m := newFP(unionSorted(ma.elems, mb.elems), ma.n+mb.n)
		mapping[a.key] = m
		mapping[b.key] = m
	}
	for i, f := range out {
		if f == nil {
			continue
		}
		if m, ok := mapping[f.key]; ok {
			out[i] = m
		}
	}
}

// sizeCompatible reports whether fingerprints of sizes l <= l2 are compared
// for merging.
func (g *generator) sizeCompatible(l, l2 int, bound float64) bool {
	if l == l2 {
		return true
	}
	r := float64(l2-l) / float64(max(l2, 1))
	if g.p.MergeBoundExact {
		return r <= bound+1e-12
	}
	return r <= bound
}

func unionSorted(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
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
	words := (n + 63) / 64
	nb := make([]uint64, n*words)
	for v, list := range adj {
		row := nb[v*words : (v+1)*words]
		for _, u := range list {
			row[u>>6] |= 1 << (uint(u) & 63)
		}
	}
	neigh := func(v int) []uint64 { return nb[v*words : (v+1)*words] }
	p := make([]uint64, words)
	for v := 0; v < n; v++ {
		p[v>>6] |= 1 << (uint(v) & 63)
	}
	x := make([]uint64, words)
	var r []int32
	// Scratch bit sets, one pair per recursion depth.
	var pool [][]uint64
	get := func() []uint64 {
		if k := len(pool); k > 0 {
			b := pool[k-1]
			pool = pool[:k-1]
			return b
		}
		return make([]uint64, words)
	}
	var rec func(p, x []uint64)
	rec = func(p, x []uint64) {
		empty := true
		for i := range p {
			if p[i] != 0 || x[i] != 0 {
				empty = false
				break
			}
		}
		if empty {
			emit(r)
			return
		}
		// Pivot: the vertex of P ∪ X with most neighbours in P.
		pivot, best := -1, -1
		for i := range p {
			w := p[i] | x[i]
			for w != 0 {
				u := i*64 + bits.TrailingZeros64(w)
				w &= w - 1
				c := 0
				nu := neigh(u)
				for j := range p {
					c += bits.OnesCount64(p[j] & nu[j])
				}
				if c > best {
					pivot, best = u, c
				}
			}
		}
		np := neigh(pivot)
		for i := range p {
			cand := p[i] &^ np[i]
			for cand != 0 {
				bit := bits.TrailingZeros64(cand)
				cand &= cand - 1
				v := i*64 + bit
				nv := neigh(v)
				p2, x2 := get(), get()
				for j := range p {
					p2[j] = p[j] & nv[j]
					x2[j] = x[j] & nv[j]
				}
				r = append(r, int32(v))
				rec(p2, x2)
				r = r[:len(r)-1]
				pool = append(pool, p2, x2)
				p[i] &^= 1 << uint(bit)
				x[i] |= 1 << uint(bit)
			}
		}
	}
	rec(p, x)
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

func intersectSorted(a, b []int32) []int32 {
	var out []int32
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

func differenceSorted(a, b []int32) []int32 {
	var out []int32
	j := 0
	for _, v := range a {
		for j < len(b) && b[j] < v {
			j++
		}
		if j < len(b) && b[j] == v {
			continue
		}
		out = append(out, v)
	}
	return out
}
