package mappgraph

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"appbench/datasets"
)

// BuildOptions are the graph construction parameters.
type BuildOptions struct {
	// MaxNodes is N, the number of destinations with the most packets that
	// are kept (default 20).
	MaxNodes int
	// Slice is t_slice, the width of the time slices that define
	// co-activity (default 10 s).
	Slice time.Duration
}

// DefaultBuildOptions are the reference setting (N = 20, t_slice = 10 s).
var DefaultBuildOptions = BuildOptions{MaxNodes: 20, Slice: 10 * time.Second}

// Sentinel errors for chunks that give no graph, so that callers can count
// them with errors.Is. The reference prints "EMPTY", "WRONG" or silently
// drops the chunk in these three cases.
var (
	// ErrEmpty: the chunk has no packet at all.
	ErrEmpty = errors.New("empty chunk")
	// ErrSkipped: a step of the construction fails in the reference (no
	// packet left after the port filter and the service-side rule, or a
	// node address that is not a dotted IPv4 quad), so the chunk is
	// skipped.
	ErrSkipped = errors.New("chunk skipped")
	// ErrNotIPv4 is the ErrSkipped of a chunk with a destination that is
	// not an IPv4 address, whose octets the reference cannot parse.
	ErrNotIPv4 = fmt.Errorf("%w: a destination is not an IPv4 address", ErrSkipped)
	// ErrDegenerate: the graph has at most one edge row (at most two
	// nodes, including none when the inner joins leave no destination)
	// and is dropped by the keep rule.
	ErrDegenerate = errors.New("graph with at most one edge dropped")
)

// ignoredPorts are the DNS, mDNS, NetBIOS, DHCP and LLMNR ports whose
// packets are removed before anything else (§5.2).
func ignoredPort(p uint16) bool {
	switch p {
	case 53, 5353, 137, 67, 68, 5355:
		return true
	}
	return false
}

// Build turns the packets of one traffic chunk into a MAppGraph graph,
// following §5 of the specification step by step with pandas semantics:
// rebase time on the earliest packet, drop DNS/DHCP/NetBIOS/LLMNR/mDNS
// ports, take the side with the lower port as the service (equal ports are
// dropped), keep the MaxNodes (IP, port) destinations with the most
// packets, compute the 18 statistics of the complete, outgoing and
// incoming length series (inner joins: a destination without outgoing or
// incoming packets is dropped; NaN statistics become 0), the flow features,
// order the nodes by packet count, weight every pair by the number of
// shared active time slices, remove isolated nodes, min-max normalise the
// weights (all-equal weights give NaN, as in the reference) and add the IP
// octets.
//
// Ties are broken as the reference's NumPy introsort breaks them, so node
// and edge order match the reference files even beyond 16 elements.
// Packet times are converted to float64 seconds as parsing their decimal
// text would (the reference reads them from CSV), not as Time/1e9. Packets
// with a negative Stream have no flow.
//
// Chunks that give no graph return a nil graph and an error wrapping
// ErrEmpty, ErrSkipped or ErrDegenerate. The returned graph has ID 0 and no
// App; the caller numbers kept graphs.
func Build(pkts []datasets.Packet, opts BuildOptions) (*Graph, error) {
	var b Builder
	return b.Build(pkts, opts)
}

// Builder builds graphs like Build, reusing its working memory from one
// chunk to the next. A Builder is not safe for concurrent use.
type Builder struct {
	rows   []row
	tmp    []row
	secs   []float64
	times  []float64
	ranks  []int64
	kept   []int32
	keys   map[addrPort]int32
	uniq   []keyInfo
	idx    []int
	counts []int64
	vals   []float64
	scr    []float64
	keybuf []uint16
	flows  []flow
	fidx   map[flowKey]int32
}

type addrPort struct {
	addr netip.Addr
	port uint16
}

type keyInfo struct {
	ap    addrPort
	ip    string
	count int64
	group int32 // rank among kept keys in key order, or -1
}

type row struct {
	t      float64 // rebased time, seconds
	key    int32
	length int32
	stream int64
	tcp    bool
	out    bool
}

type flowKey struct {
	stream int64
	tcp    bool
	group  int32
}

type flow struct {
	key        flowKey
	start, end float64
	length     int64
	pkts       int64
}

type group struct {
	key       int32 // index into uniq
	rows      []int32
	nOut, nIn int
	feat      [NumFeatures]float64
	flows     []int32
	slices    []int64
}

// Build is Build with reused buffers. It runs the stages of §5 in order,
// one method each.
func (b *Builder) Build(pkts []datasets.Packet, opts BuildOptions) (*Graph, error) {
	if opts.MaxNodes <= 0 {
		opts.MaxNodes = DefaultBuildOptions.MaxNodes
	}
	if opts.Slice <= 0 {
		opts.Slice = DefaultBuildOptions.Slice
	}
	if len(pkts) == 0 {
		return nil, fmt.Errorf("mappgraph: %w", ErrEmpty)
	}
	t0 := b.rebase(pkts)
	b.serviceRows(pkts, t0)
	b.sortRows()
	if len(b.rows) == 0 {
		return nil, fmt.Errorf("mappgraph: %w: no packet left after the port filter", ErrSkipped)
	}
	groups := b.topDestinations(opts.MaxNodes)
	b.groupRows(groups)
	b.collectFlows(groups)
	nodes := b.nodeFeatures(groups)
	if len(nodes) == 0 {
		// The reference's joins give empty frames without failing; the
		// graph has no edge row and the keep rule drops it.
		return nil, fmt.Errorf("mappgraph: %w: no destination with packets in both directions and a flow", ErrDegenerate)
	}
	ordered := b.orderNodes(nodes)
	pairs, weights, order, active := b.coactivity(ordered, opts.Slice)
	g, newIdx, err := b.keepActive(ordered, active)
	if err != nil {
		return nil, err
	}
	return finishEdges(g, pairs, weights, order, newIdx)
}

// rebase (5.1) converts the packet times to seconds, sets b.idx to the
// packets in time order and returns the earliest time.
//
// The reference sorts by time three times and by destination once with
// NumPy's unstable quicksort; the order of rows inside a destination
// decides the last bits of its sums (mean absolute deviation, Welford
// variance, skew and kurtosis sums), so the same permutations are applied
// here.
func (b *Builder) rebase(pkts []datasets.Packet) float64 {
	secs := b.secs[:0]
	for i := range pkts {
		secs = append(secs, epochSeconds(pkts[i].Time))
	}
	b.secs = secs
	b.idx = npArgsortTimes(secs, b.idx) // main loop: sort_values('time')
	return secs[b.idx[0]]
}

// serviceRows (5.2, 5.3) applies the port filter and the service side to
// the packets in the time order of b.idx and fills b.tmp with the rows,
// counting them per destination key in b.uniq: rows of incoming packets
// (destination port higher) first, then outgoing ones, as the reference
// concatenates them.
func (b *Builder) serviceRows(pkts []datasets.Packet, t0 float64) {
	if b.keys == nil {
		b.keys = make(map[addrPort]int32)
	}
	clear(b.keys)
	b.tmp = b.tmp[:0]
	b.uniq = b.uniq[:0]
	lastKey := int32(-1)
	for pass := 0; pass < 2; pass++ {
		for _, pi := range b.idx {
			p := &pkts[pi]
			if ignoredPort(p.SrcPort) || ignoredPort(p.DstPort) || p.SrcPort == p.DstPort {
				continue
			}
			out := p.DstPort < p.SrcPort
			if out != (pass == 1) {
				continue
			}
			var ap addrPort
			if out {
				ap = addrPort{p.Dst, p.DstPort}
			} else {
				ap = addrPort{p.Src, p.SrcPort}
			}
			// Packets come in bursts: try the previous key first.
			k := lastKey
			if k < 0 || b.uniq[k].ap != ap {
				k = b.keyOf(ap)
				lastKey = k
			}
			b.uniq[k].count++
			b.tmp = append(b.tmp, row{
				t: b.secs[pi] - t0, key: k, length: int32(p.IPLen),
				stream: p.Stream, tcp: p.Proto == datasets.TCP, out: out,
			})
		}
	}
}

// keyOf returns the index in b.uniq of the destination ap, adding it when
// it is new.
func (b *Builder) keyOf(ap addrPort) int32 {
	k, ok := b.keys[ap]
	if !ok {
		k = int32(len(b.uniq))
		b.keys[ap] = k
		b.uniq = append(b.uniq, keyInfo{ap: ap, ip: ap.addr.String(), group: -1})
	}
	return k
}

// sortRows is basic_reprocessing's sort_values('time') of the
// concatenation: it fills b.rows with the rows of b.tmp in time order.
func (b *Builder) sortRows() {
	b.times = b.times[:0]
	for i := range b.tmp {
		b.times = append(b.times, b.tmp[i].t)
	}
	b.idx = npArgsortTimes(b.times, b.idx)
	b.rows = b.rows[:0]
	for _, i := range b.idx {
		b.rows = append(b.rows, b.tmp[i])
	}
}

// topDestinations (5.4) keeps the maxNodes destinations with the most rows:
// groupby order (IP text, port), then NumPy's descending quicksort on the
// counts. It returns one group per kept destination in key order and sets
// the keys' group indices.
func (b *Builder) topDestinations(maxNodes int) []group {
	sorted := make([]int32, len(b.uniq))
	for i := range sorted {
		sorted[i] = int32(i)
	}
	slices.SortFunc(sorted, func(x, y int32) int {
		a, c := &b.uniq[x], &b.uniq[y]
		if r := cmp.Compare(a.ip, c.ip); r != 0 {
			return r
		}
		return cmp.Compare(a.ap.port, c.ap.port)
	})
	b.counts = b.counts[:0]
	for _, k := range sorted {
		b.counts = append(b.counts, b.uniq[k].count)
	}
	b.idx = npArgsortDesc(b.counts, b.idx)
	keep := b.idx[:min(maxNodes, len(b.idx))]
	kept := make([]bool, len(sorted))
	for _, pos := range keep {
		kept[pos] = true
	}
	var groups []group
	for pos, k := range sorted {
		if kept[pos] {
			b.uniq[k].group = int32(len(groups))
			groups = append(groups, group{key: k})
		}
	}
	return groups
}

// groupRows gives every group its rows, in the order of
// pkt_reprocessing's sort_values(['IP_port']) of the kept rows (group
// index = key rank), and counts its outgoing and incoming ones.
func (b *Builder) groupRows(groups []group) {
	b.ranks = b.ranks[:0]
	b.kept = b.kept[:0]
	for i := range b.rows {
		if g := b.uniq[b.rows[i].key].group; g >= 0 {
			b.ranks = append(b.ranks, int64(g))
			b.kept = append(b.kept, int32(i))
		}
	}
	b.idx = npArgsort(b.ranks, b.idx)
	for _, k := range b.idx {
		ri := b.kept[k]
		r := &b.rows[ri]
		gr := &groups[b.uniq[r.key].group]
		gr.rows = append(gr.rows, ri)
		if r.out {
			gr.nOut++
		} else {
			gr.nIn++
		}
	}
}

// collectFlows (5.8) gathers the flows of all kept rows into b.flows,
// sorted by flow key, and gives every group its flows.
func (b *Builder) collectFlows(groups []group) {
	if b.fidx == nil {
		b.fidx = make(map[flowKey]int32)
	}
	clear(b.fidx)
	b.flows = b.flows[:0]
	lastFlow := int32(-1)
	for gi := range groups {
		for _, ri := range groups[gi].rows {
			r := &b.rows[ri]
			if r.stream < 0 {
				continue
			}
			fk := flowKey{r.stream, r.tcp, int32(gi)}
			fi := lastFlow
			if fi < 0 || b.flows[fi].key != fk {
				fi = b.flowOf(fk, r.t)
				lastFlow = fi
			}
			f := &b.flows[fi]
			f.start, f.end = min(f.start, r.t), max(f.end, r.t)
			f.length += int64(r.length)
			f.pkts++
		}
	}
	slices.SortFunc(b.flows, compareFlows)
	for fi := range b.flows {
		g := &groups[b.flows[fi].key.group]
		g.flows = append(g.flows, int32(fi))
	}
}

// flowOf returns the index in b.flows of the flow fk, adding it, as
// starting and ending at t, when it is new.
func (b *Builder) flowOf(fk flowKey, t float64) int32 {
	fi, ok := b.fidx[fk]
	if !ok {
		fi = int32(len(b.flows))
		b.fidx[fk] = fi
		b.flows = append(b.flows, flow{key: fk, start: t, end: t})
	}
	return fi
}

// compareFlows orders flows by stream, UDP before TCP, then group.
func compareFlows(x, y flow) int {
	if r := cmp.Compare(x.key.stream, y.key.stream); r != 0 {
		return r
	}
	if x.key.tcp != y.key.tcp {
		if !x.key.tcp {
			return -1
		}
		return 1
	}
	return cmp.Compare(x.key.group, y.key.group)
}

// nodeFeatures (5.5-5.8) computes the features of the groups the inner
// joins keep (those with outgoing packets, incoming packets and flows)
// and returns them in key order.
func (b *Builder) nodeFeatures(groups []group) []*group {
	var nodes []*group
	for gi := range groups {
		g := &groups[gi]
		if g.nOut == 0 || g.nIn == 0 || len(g.flows) == 0 {
			continue
		}
		b.packetFeatures(g)
		b.flowFeatures(g)
		nodes = append(nodes, g)
	}
	return nodes
}

// orderNodes (5.9) orders the nodes by NumPy's descending quicksort on
// complete_pkt_num.
func (b *Builder) orderNodes(nodes []*group) []*group {
	b.counts = b.counts[:0]
	for _, g := range nodes {
		b.counts = append(b.counts, int64(len(g.rows)))
	}
	b.idx = npArgsortDesc(b.counts, b.idx)
	ordered := make([]*group, len(nodes))
	for i, j := range b.idx {
		ordered[i] = nodes[j]
	}
	return ordered
}

// pair is a pair i < j of nodes in node order.
type pair struct{ i, j int }

// coactivity (5.10) sets the active time slices of every node and returns
// the node pairs i < j, their counts of shared slices (weights, which is
// b.counts), the pair indices by descending count (order, which is b.idx)
// and which nodes share a slice with another.
func (b *Builder) coactivity(ordered []*group, slice time.Duration) (pairs []pair, weights []int64, order []int, active []bool) {
	width := slice.Seconds()
	for _, g := range ordered {
		s := g.slices[:0]
		for _, ri := range g.rows {
			s = append(s, int64(floorDivide(b.rows[ri].t, width)))
		}
		slices.Sort(s)
		g.slices = slices.Compact(s)
	}
	n := len(ordered)
	pairs = make([]pair, 0, n*(n-1)/2)
	b.counts = b.counts[:0]
	active = make([]bool, n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			w := intersectCount(ordered[i].slices, ordered[j].slices)
			pairs = append(pairs, pair{i, j})
			b.counts = append(b.counts, w)
			if w > 0 {
				active[i], active[j] = true, true
			}
		}
	}
	b.idx = npArgsortDesc(b.counts, b.idx)
	return pairs, b.counts, b.idx, active
}

// keepActive removes the isolated nodes and renumbers the others: it
// returns the graph of the active nodes with their IP octets (5.11) and
// each node's new index (-1 if removed).
func (b *Builder) keepActive(ordered []*group, active []bool) (*Graph, []int, error) {
	newIdx := make([]int, len(ordered))
	g := &Graph{}
	for i, gr := range ordered {
		if !active[i] {
			newIdx[i] = -1
			continue
		}
		newIdx[i] = len(g.Nodes)
		k := &b.uniq[gr.key]
		node := Node{IP: k.ip, Port: int(k.ap.port), Features: gr.feat}
		// 5.11 octets: the reference's int(ip.split('.')[k]) fails on
		// anything but a dotted quad.
		if !k.ap.addr.Is4() {
			return nil, nil, fmt.Errorf("mappgraph: %w: %s", ErrNotIPv4, k.ip)
		}
		o := k.ap.addr.As4()
		for q := 0; q < 4; q++ {
			node.Features[FeatureIP1+q] = float64(o[q])
		}
		g.Nodes = append(g.Nodes, node)
	}
	return g, newIdx, nil
}

// finishEdges adds to g the pairs of remaining nodes in descending weight
// order, applies the keep rule (5.12) and min-max normalises the weights.
func finishEdges(g *Graph, pairs []pair, weights []int64, order, newIdx []int) (*Graph, error) {
	var wmin, wmax int64 = math.MaxInt64, math.MinInt64
	for _, pi := range order {
		p := pairs[pi]
		if newIdx[p.i] < 0 || newIdx[p.j] < 0 {
			continue
		}
		w := weights[pi]
		wmin, wmax = min(wmin, w), max(wmax, w)
		g.Edges = append(g.Edges, Edge{Source: newIdx[p.i], Target: newIdx[p.j], Weight: float64(w)})
	}
	if len(g.Edges) <= 1 {
		return nil, fmt.Errorf("mappgraph: %w: %d nodes, %d edge rows", ErrDegenerate, len(g.Nodes), len(g.Edges))
	}
	span := float64(wmax - wmin) // 0 gives 0/0 = NaN as in the reference
	for e := range g.Edges {
		g.Edges[e].Weight = (g.Edges[e].Weight - float64(wmin)) / span
	}
	return g, nil
}

// packetFeatures fills the 54 packet statistics of g (NaN → 0).
func (b *Builder) packetFeatures(g *group) {
	n := len(g.rows)
	if cap(b.vals) < 2*n {
		b.vals = make([]float64, 2*n)
		b.scr = make([]float64, 3*n)
		b.keybuf = make([]uint16, 2*n)
	}
	all := b.vals[:n]
	outs := b.vals[n : n+g.nOut]
	ins := b.vals[n+g.nOut : 2*n]
	no, ni := 0, 0
	for i, ri := range g.rows {
		r := &b.rows[ri]
		v := float64(r.length)
		all[i] = v
		if r.out {
			outs[no] = v
			no++
		} else {
			ins[ni] = v
			ni++
		}
	}
	packetStats(all, b.scr, b.keybuf, g.feat[offComplete:offComplete+NumPacketStats])
	packetStats(outs, b.scr, b.keybuf, g.feat[offOut:offOut+NumPacketStats])
	packetStats(ins, b.scr, b.keybuf, g.feat[offIn:offIn+NumPacketStats])
	for i := 0; i < 3*NumPacketStats; i++ {
		if math.IsNaN(g.feat[i]) {
			g.feat[i] = 0
		}
	}
}

// flowFeatures fills protocol, flows_num and the three flow means of g. The
// means are pandas' groupby means (Kahan-compensated sums in flow-key
// order).
func (b *Builder) flowFeatures(g *group) {
	var tcp, length, pkts, dur kahan
	for _, fi := range g.flows {
		f := &b.flows[fi]
		if f.key.tcp {
			tcp.add(1)
		} else {
			tcp.add(0)
		}
		length.add(float64(f.length))
		pkts.add(float64(f.pkts))
		dur.add(f.end - f.start)
	}
	c := float64(len(g.flows))
	g.feat[FeatureProtocol] = tcp.sum / c
	g.feat[FeatureFlowsNum] = c
	g.feat[FeatureFlowsNum+1] = length.sum / c
	g.feat[FeatureFlowsNum+2] = pkts.sum / c
	g.feat[FeatureFlowsNum+3] = dur.sum / c
}

// kahan is the compensated summation of pandas' group_mean.
type kahan struct{ sum, comp float64 }

func (k *kahan) add(v float64) {
	y := v - k.comp
	t := k.sum + y
	k.comp = t - k.sum - y
	k.sum = t
}

// intersectCount is the size of the intersection of two sorted sets.
func intersectCount(a, b []int64) int64 {
	var n int64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// floorDivide is NumPy's floor_divide for float64 (npy_divmod), which
// differs from math.Floor(a/b) when a/b rounds up to an integer.
func floorDivide(a, b float64) float64 {
	// Fast path: for an integral b and 0 ≤ a < 2⁵², NumPy's result is the
	// exact floor k (a − fmod(a, b) = k·b is exact), and a candidate q is
	// that floor iff a − q·b, rounded once by the FMA, lies in [0, b).
	if a >= 0 && a < 1<<52 && b > 0 && b == math.Trunc(b) {
		q := math.Floor(a / b)
		if r := math.FMA(-q, b, a); r >= 0 && r < b {
			return q
		}
	}
	if b == 0 {
		return a / b
	}
	mod := math.Mod(a, b)
	div := (a - mod) / b
	if mod != 0 {
		if (b < 0) != (mod < 0) {
			div -= 1.0
		}
	}
	if div != 0 {
		fd := math.Floor(div)
		if div-fd > 0.5 {
			fd += 1.0
		}
		return fd
	}
	return math.Copysign(0, a/b)
}

// epochSeconds converts a nanosecond timestamp to float64 seconds the way
// parsing its decimal text does (correctly rounded), which is what the
// reference computes from the CSV text; float64(ns)/1e9 can differ by an
// ulp because it rounds twice.
//
// Fast path: s = S + f/1e9 for the whole seconds S and the nanoseconds f,
// with the rounding error of the sum recovered exactly (TwoSum). The exact
// value differs from s by that error plus at most 2⁻⁵³ (the rounding of
// f/1e9), so s is the correctly rounded value whenever that total stays
// below half the smaller gap around s; otherwise (about once in 10⁹
// timestamps) the decimal text is parsed.
func epochSeconds(ns int64) float64 {
	if ns >= 0 {
		sec, frac := float64(ns/1e9), float64(ns%1e9)/1e9
		s := sec + frac
		bb := s - sec
		e := (sec - (s - bb)) + (frac - bb)
		if math.Abs(e)+0x1p-52 < (s-math.Nextafter(s, 0))/2 {
			return s
		}
	}
	return parseSeconds(ns)
}

// parseSeconds formats ns as decimal seconds and parses the text.
func parseSeconds(ns int64) float64 {
	var buf [32]byte
	b := buf[:0]
	u := uint64(ns)
	if ns < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/1e9, 10)
	frac := u % 1e9
	b = append(b, '.')
	for d := uint64(1e8); d > 0; d /= 10 {
		b = append(b, byte('0'+frac/d%10))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return float64(ns) / 1e9
	}
	return f
}
