package flowprint

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"appbench/datasets"
)

// synthApp describes the traffic of one synthetic app: its own
// destinations (disjoint from other apps') and certificates.
type synthApp struct {
	name  string
	dsts  []netip.AddrPort
	certs []string // per destination, "" for none
}

func makeApps(n, dstsPerApp, certEvery int) []synthApp {
	apps := make([]synthApp, n)
	for a := range apps {
		apps[a].name = fmt.Sprintf("app%02d", a)
		for d := 0; d < dstsPerApp; d++ {
			ip := netip.AddrFrom4([4]byte{10, byte(a >> 8), byte(a), byte(d + 1)})
			apps[a].dsts = append(apps[a].dsts, netip.AddrPortFrom(ip, uint16(443+d%3)))
			cert := ""
			if d%certEvery == 0 {
				cert = fmt.Sprintf("%d%d", 1000+a, d)
			}
			apps[a].certs = append(apps[a].certs, cert)
		}
	}
	return apps
}

// synthSession returns flows of app between start and start+dur seconds:
// every destination of the app is contacted by nflows flows, each with
// npkts packets a few seconds apart, all within the session so that the
// app's destinations share their activity windows.
func synthSession(rng *rand.Rand, app synthApp, label string, start, dur float64, nflows, npkts int, stream *int64) []Flow {
	var flows []Flow
	client := netip.AddrFrom4([4]byte{192, 168, 1, 2})
	for d, dst := range app.dsts {
		for k := 0; k < nflows; k++ {
			t := start + rng.Float64()*dur*0.5
			f := Flow{Label: label, Proto: datasets.TCP, Stream: *stream, Src: client, SrcPort: uint16(40000 + *stream%20000),
				Dst: dst.Addr(), DstPort: dst.Port(), Cert: app.certs[d], Start: t, End: t}
			*stream++
			for p := 0; p < npkts; p++ {
				f.Times = append(f.Times, t)
				f.Lengths = append(f.Lengths, 100)
				f.End = t
				t += rng.Float64() * dur * 0.5 / float64(npkts)
			}
			flows = append(flows, f)
		}
	}
	return flows
}

// TestRecognitionDisjointApps: apps with disjoint destinations, each active
// alone in its own time span, are recognised perfectly on new traffic.
func TestRecognitionDisjointApps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	apps := makeApps(8, 6, 2)
	var train, test []Flow
	var trainLabels []string
	var stream int64
	for i, a := range apps {
		fl := synthSession(rng, a, a.name, 1000+float64(i)*2000, 60, 2, 5, &stream)
		train = append(train, fl...)
		for range fl {
			trainLabels = append(trainLabels, a.name)
		}
	}
	m := NewModel(DefaultParams())
	if err := m.Fit(train, trainLabels); err != nil {
		t.Fatal(err)
	}
	if m.Len() < len(apps) {
		t.Fatalf("trained %d fingerprints, want at least one per app (%d)", m.Len(), len(apps))
	}
	var testLabels []string
	for i, a := range apps {
		// Test traffic uses a subset of the app's destinations.
		sub := a
		sub.dsts, sub.certs = a.dsts[:4], a.certs[:4]
		fl := synthSession(rng, sub, "?", 90000+float64(i)*2000, 60, 1, 4, &stream)
		test = append(test, fl...)
		for range fl {
			testLabels = append(testLabels, a.name)
		}
	}
	res, err := Generate(test, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Recognize(res.FlowFingerprints())
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != testLabels[i] {
			t.Errorf("flow %d of %s recognised as %s", i, testLabels[i], got[i])
		}
	}
	flags, err := m.Detect(res.FlowFingerprints(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range flags {
		if f != 1 {
			t.Errorf("flow %d of known app %s flagged as unseen", i, testLabels[i])
		}
	}
}

// TestDetectionUnseenApp: an app left out of training is flagged, the
// others are not.
func TestDetectionUnseenApp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// Every flow has a certificate: otherwise the NoCertificate element
	// is shared by all fingerprints and small fingerprints of an unseen app
	// can reach the 0.1 threshold through it alone (reference quirk).
	apps := makeApps(5, 5, 1)
	var train []Flow
	var labels []string
	var stream int64
	for i, a := range apps[:4] {
		fl := synthSession(rng, a, a.name, float64(i)*5000, 90, 2, 6, &stream)
		train = append(train, fl...)
		for range fl {
			labels = append(labels, a.name)
		}
	}
	m := NewModel(DefaultParams())
	if err := m.Fit(train, labels); err != nil {
		t.Fatal(err)
	}
	for i, a := range apps {
		test := synthSession(rng, a, "?", 1e6+float64(i)*5000, 90, 1, 6, &stream)
		res, err := Generate(test, DefaultParams())
		if err != nil {
			t.Fatal(err)
		}
		flags, err := m.Detect(res.FlowFingerprints(), 0.1)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if i == 4 {
			want = -1
		}
		for _, f := range flags {
			if f != want {
				t.Errorf("%s: detection %d, want %d", a.name, f, want)
			}
		}
	}
}

// TestDetectionThresholdDirection: raising the threshold can only flag
// more fingerprints as unseen.
func TestDetectionThresholdDirection(t *testing.T) {
	m := NewModel(DefaultParams())
	a := DestinationElement(netip.MustParseAddr("1.1.1.1"), 443)
	b := DestinationElement(netip.MustParseAddr("2.2.2.2"), 443)
	c := DestinationElement(netip.MustParseAddr("3.3.3.3"), 443)
	d := DestinationElement(netip.MustParseAddr("4.4.4.4"), 443)
	m.Add(NewFingerprint([]Element{a, b, c}, 3), "x")
	tests := []Fingerprint{
		NewFingerprint([]Element{a, b, c}, 1), // J = 1
		NewFingerprint([]Element{a, b, d}, 1), // J = 2/4
		NewFingerprint([]Element{a, d}, 1),    // J = 1/4
		NewFingerprint([]Element{d}, 1),       // J = 0
	}
	prev := -1
	for _, thr := range []float64{0.2, 0.3, 0.6, 1.0} {
		flags, err := m.DetectExact(tests, thr)
		if err != nil {
			t.Fatal(err)
		}
		unseen := 0
		for _, f := range flags {
			if f < 0 {
				unseen++
			}
		}
		if unseen < prev {
			t.Errorf("threshold %v flags %d, fewer than %d at a lower threshold", thr, unseen, prev)
		}
		prev = unseen
	}
	if prev != 3 {
		t.Errorf("threshold 1 flags %d fingerprints, want 3", prev)
	}
	// Detect's zero threshold is the model default 0.1 (reference quirk).
	flags, _ := m.Detect(tests, 0)
	if want := []int{1, 1, 1, -1}; fmt.Sprint(flags) != fmt.Sprint(want) {
		t.Errorf("Detect(0) = %v, want %v", flags, want)
	}
	exact, _ := m.DetectExact(tests, 0)
	if want := []int{1, 1, 1, 1}; fmt.Sprint(exact) != fmt.Sprint(want) {
		t.Errorf("DetectExact(0) = %v, want %v", exact, want)
	}
}

// flowAt makes a one-packet-per-time flow to dst:port with packets at the
// given times.
func flowAt(stream int64, dst string, port uint16, cert string, times ...float64) Flow {
	f := Flow{Label: "l", Proto: datasets.TCP, Stream: stream, Src: netip.MustParseAddr("192.168.0.2"), SrcPort: 50000,
		Dst: netip.MustParseAddr(dst), DstPort: port, Cert: cert, Start: times[0], End: times[0]}
	for _, t := range times {
		f.Times = append(f.Times, t)
		f.Lengths = append(f.Lengths, 60)
		f.Start, f.End = min(f.Start, t), max(f.End, t)
	}
	return f
}

// TestCliqueTieEnumeratedLast: of two tied cliques (same size and flow
// count) sharing a destination, the one networkx's find_cliques yields
// last wins it, as in the reference (golden/flowprint/synth tie.pcap).
// Windows from t0 = 1000: A {0,1}, B {0}, C {1,5}, D {5}, E {5,6}; the
// cliques are {A,B}, {A,C} (tied on A) and {C,D,E}, enumerated as
// {C,D,E}, {A,C}, {A,B}. So A joins B, and {A,C} is no fingerprint.
func TestCliqueTieEnumeratedLast(t *testing.T) {
	flows := []Flow{
		flowAt(0, "10.1.0.1", 4000, "", 1000, 1030.5),
		flowAt(1, "10.1.0.2", 4000, "", 1000.1),
		flowAt(2, "10.1.0.3", 4000, "", 1031, 1151),
		flowAt(3, "10.1.0.4", 4000, "", 1152),
		flowAt(4, "10.1.0.5", 4000, "", 1153, 1181),
	}
	res, err := Generate(flows, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fingerprints) != 2 || res.Of[0] != res.Of[1] || res.Of[2] == res.Of[0] {
		t.Errorf("fingerprints %v, flows' fingerprints %v; want A with B and C, D, E together", res.Fingerprints, res.Of)
	}
}

// TestCorrelationThreshold: clusters whose activity overlaps with Jaccard
// 0.5 form one fingerprint below that threshold and none above it.
func TestCorrelationThreshold(t *testing.T) {
	// Cluster A active in windows {0,1}, B in {1,2}: J = 1/3.
	// C has the same windows as A, so A and C are one node.
	flows := []Flow{
		flowAt(0, "1.0.0.1", 443, "", 0, 35),
		flowAt(1, "1.0.0.2", 443, "", 31, 65),
		flowAt(2, "1.0.0.3", 443, "", 1, 36),
	}
	count := func(corr float64) (n int, sizes []int) {
		p := DefaultParams()
		p.Correlation = corr
		res, err := Generate(flows, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.FlowFingerprints() {
			sizes = append(sizes, f.Len())
		}
		return len(res.Fingerprints), sizes
	}
	// Low threshold: A, B and C in one clique; size 3 destinations + no-cert.
	if n, sizes := count(0.3); n != 1 || fmt.Sprint(sizes) != "[4 4 4]" {
		t.Errorf("correlation 0.3: %d fingerprints, sizes %v; want 1, [4 4 4]", n, sizes)
	}
	// High threshold: only the A+C node (two clusters with equal activity)
	// is a fingerprint; B is filled in from its nearest neighbour in time.
	if n, sizes := count(0.5); n != 1 || fmt.Sprint(sizes) != "[3 3 3]" {
		t.Errorf("correlation 0.5: %d fingerprints, sizes %v; want 1, [3 3 3]", n, sizes)
	}
}

// TestClusteringByCertificate: two destinations sharing a certificate are
// one cluster, so alone they make no fingerprint (a clique needs two
// clusters); with distinct certificates they make one.
func TestClusteringByCertificate(t *testing.T) {
	shared := []Flow{
		flowAt(0, "1.0.0.1", 443, "77", 0, 5),
		flowAt(1, "1.0.0.2", 443, "77", 1, 6),
	}
	res, err := Generate(shared, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fingerprints) != 0 {
		t.Errorf("one cluster gave %d fingerprints, want 0", len(res.Fingerprints))
	}
	distinct := []Flow{
		flowAt(0, "1.0.0.1", 443, "77", 0, 5),
		flowAt(1, "1.0.0.2", 443, "78", 1, 6),
	}
	res, err = Generate(distinct, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fingerprints) != 1 || res.Fingerprints[0].Len() != 4 || res.Fingerprints[0].NFlows != 2 {
		t.Fatalf("two clusters gave %+v, want one fingerprint of 4 elements and 2 flows", res.Fingerprints)
	}
	if c := res.Fingerprints[0].Certificates(); len(c) != 2 {
		t.Errorf("certificates %v, want 2", c)
	}
}

// TestNoCertificateElement: a certificate-less flow whose destination is in
// no fingerprint inherits the largest fingerprint holding the
// NoCertificate element (reference quirk), before gap filling.
func TestNoCertificateElement(t *testing.T) {
	flows := []Flow{
		flowAt(0, "1.0.0.1", 443, "", 0, 5),
		flowAt(1, "1.0.0.2", 443, "", 1, 6),
		// Lone destination active in other windows: no clique with it.
		flowAt(2, "9.9.9.9", 53, "", 200, 290),
	}
	res, err := Generate(flows, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	of := res.Of
	if of[0] < 0 || of[0] != of[1] || of[2] != of[0] {
		t.Fatalf("fingerprint of flows %v, want all three the same", of)
	}
	f := res.Fingerprints[of[0]]
	if f.Len() != 3 || f.Elements[2].Kind != NoCertificate {
		t.Errorf("fingerprint %s, want two destinations and NoCertificate", f.Summary())
	}
}

// TestBatchesAreEqualWidth: a 301 s span gives two 150.5 s batches
// (reference quirk), so flows at 0 and 150 s share a batch and form a
// fingerprint, while flows at 151 s are in the second batch.
func TestBatchesAreEqualWidth(t *testing.T) {
	flows := []Flow{
		flowAt(0, "1.0.0.1", 443, "", 0),
		flowAt(1, "1.0.0.2", 443, "", 1),
		flowAt(2, "1.0.0.3", 443, "", 150.4),
		flowAt(3, "1.0.0.4", 443, "", 301),
		flowAt(4, "1.0.0.5", 443, "", 301),
	}
	p := DefaultParams()
	p.Window = 200
	res, err := Generate(flows, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Of[0] != res.Of[2] || res.Of[3] != res.Of[4] || res.Of[0] == res.Of[3] {
		t.Errorf("fingerprint per flow %v, want flows 0-2 together and 3-4 together", res.Of)
	}
	// With batch and window 400 everything is one batch and one window.
	p.Batch, p.Window = 400, 400
	res, err = Generate(flows, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fingerprints) != 1 {
		t.Errorf("batch 400: %d fingerprints, want 1", len(res.Fingerprints))
	}
}

// twoBatchFlows makes flows of n1 destinations (+ the NoCertificate
// element) in one batch and n2 destinations in a second batch 10000 s
// later, the first n1 destinations shared.
func twoBatchFlows(n1, n2 int) []Flow {
	var flows []Flow
	var s int64
	for i := 0; i < n1; i++ {
		flows = append(flows, flowAt(s, fmt.Sprintf("1.0.0.%d", i+1), 443, "", float64(i)))
		s++
	}
	for i := 0; i < n2; i++ {
		flows = append(flows, flowAt(s, fmt.Sprintf("1.0.0.%d", i+1), 443, "", 10000+float64(i)))
		s++
	}
	return flows
}

// TestSimilarityMerging: fingerprints of sizes 11 and 12 (J = 11/12) merge
// at similarity 0.9 but not 0.95; sizes 9 and 10 (J = 0.9 exactly) never
// merge in the reference (float bound quirk) but do with MergeBoundExact.
func TestSimilarityMerging(t *testing.T) {
	run := func(flows []Flow, p Params) int {
		res, err := Generate(flows, p)
		if err != nil {
			t.Fatal(err)
		}
		seen := make(map[string]bool)
		for _, f := range res.Fingerprints {
			seen[f.Key()] = true
		}
		return len(seen)
	}
	p := DefaultParams()
	flows := twoBatchFlows(10, 11) // sizes 11 and 12 with NoCertificate
	if n := run(flows, p); n != 1 {
		t.Errorf("J=11/12, similarity 0.9: %d fingerprints, want 1 (merged)", n)
	}
	p.Similarity = 0.95
	if n := run(flows, p); n != 2 {
		t.Errorf("J=11/12, similarity 0.95: %d fingerprints, want 2", n)
	}
	p.Similarity = 1
	if n := run(flows, p); n != 2 {
		t.Errorf("similarity 1: %d fingerprints, want 2", n)
	}
	p.Similarity = 0
	if n := run(flows, p); n != 1 {
		t.Errorf("similarity 0: %d fingerprints, want 1", n)
	}
	flows = twoBatchFlows(8, 9) // sizes 9 and 10, J = 0.9
	p.Similarity = 0.9
	if n := run(flows, p); n != 2 {
		t.Errorf("J=0.9, reference bound: %d fingerprints, want 2 (never compared)", n)
	}
	p.MergeBoundExact = true
	if n := run(flows, p); n != 1 {
		t.Errorf("J=0.9, exact bound: %d fingerprints, want 1", n)
	}
}

// TestOrientation: the first packet fixes the destination; with equal
// ports its source is the destination.
func TestOrientation(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	bl := NewBuilder("x", FlowOptions{})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(bl.AddRecord(datasets.TCP, 0, 1, 60, a, b, 50000, 443, ""))
	must(bl.AddRecord(datasets.TCP, 0, 2, 1500, b, a, 443, 50000, ""))
	must(bl.AddRecord(datasets.UDP, 0, 1, 60, a, b, 53, 40000, ""))
	must(bl.AddRecord(datasets.UDP, 1, 1, 60, a, b, 1985, 1985, ""))
	fl := bl.Flows()
	if len(fl) != 3 {
		t.Fatalf("%d flows, want 3", len(fl))
	}
	if fl[0].Dst != b || fl[0].DstPort != 443 || fmt.Sprint(fl[0].Lengths) != "[60 -1500]" {
		t.Errorf("tcp flow %+v", fl[0])
	}
	if fl[1].Dst != a || fl[1].DstPort != 53 {
		t.Errorf("udp flow with source port < destination port: destination %s:%d, want the packet source %s:53", fl[1].Dst, fl[1].DstPort, a)
	}
	if fl[2].Dst != a || fl[2].DstPort != 1985 {
		t.Errorf("equal ports: destination %s:%d, want the packet source %s", fl[2].Dst, fl[2].DstPort, a)
	}
	// Certificates: a different second certificate is an error by
	// default, ignored with CertKeepFirst.
	must(bl.AddRecord(datasets.TCP, 0, 3, 60, b, a, 443, 50000, "5"))
	if err := bl.AddRecord(datasets.TCP, 0, 4, 60, b, a, 443, 50000, "6"); err == nil {
		t.Error("second certificate accepted under CertConflictError")
	}
	keep := NewBuilder("x", FlowOptions{CertConflict: CertKeepFirst})
	must(keep.AddRecord(datasets.TCP, 0, 3, 60, b, a, 443, 50000, "5"))
	must(keep.AddRecord(datasets.TCP, 0, 4, 60, b, a, 443, 50000, "6"))
	if keep.Flows()[0].Cert != "5" {
		t.Errorf("CertKeepFirst kept %q", keep.Flows()[0].Cert)
	}
	// Reference mode drops IPv6 packets, Full mode keeps them.
	v6 := datasets.Packet{Proto: datasets.TCP, Src: netip.MustParseAddr("::1"), Dst: netip.MustParseAddr("::2"), SrcPort: 1, DstPort: 2}
	ref := NewBuilder("x", FlowOptions{Mode: Reference})
	full := NewBuilder("x", FlowOptions{Mode: Full})
	must(ref.Add(&v6))
	must(full.Add(&v6))
	if len(ref.Flows()) != 0 || len(full.Flows()) != 1 {
		t.Errorf("IPv6: reference %d flows, full %d flows; want 0 and 1", len(ref.Flows()), len(full.Flows()))
	}
}

// TestPyFloorDiv checks window indices against values of Python's
// float floor division.
func TestPyFloorDiv(t *testing.T) {
	for _, c := range []struct{ a, b, want float64 }{
		{0, 30, 0}, {29.999, 30, 0}, {30, 30, 1}, {65, 30, 2},
		// 0.7/0.1 = 7.000000000000001 but 0.7 // 0.1 = 6.0 in Python.
		{0.7, 0.1, 6},
		// 1/0.1 = 10.0 but 1 // 0.1 = 9.0 in Python.
		{1, 0.1, 9},
		{-1, 30, -1},
	} {
		if got := pyFloorDiv(c.a, c.b); got != c.want {
			t.Errorf("%v // %v = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestBatchEdges: flows exactly on a bin edge go to the later batch, the
// largest start to the last batch, and a tiny batch length with a long
// span needs no memory per bin.
func TestBatchEdges(t *testing.T) {
	g := &generator{p: Params{Batch: 100}}
	// span 300: 3 bins with edges 0, 100, 200.
	g.start = []float64{0, 99.99, 100, 150, 200, 300}
	if got := fmt.Sprint(g.batches()); got != "[[0 2] [2 4] [4 6]]" {
		t.Errorf("batches %s", got)
	}
	g.p.Batch = 1e-9
	g.start = []float64{0, 1, 1e6}
	if got := fmt.Sprint(g.batches()); got != "[[0 1] [1 2] [2 3]]" {
		t.Errorf("tiny batch: %s", got)
	}
	g.p.Batch = 300
	g.start = []float64{5, 5, 5}
	if got := fmt.Sprint(g.batches()); got != "[[0 3]]" {
		t.Errorf("zero span: %s", got)
	}
	bad := []Flow{flowAt(0, "1.1.1.1", 1, "", math.Inf(1))}
	if _, err := Generate(bad, DefaultParams()); err == nil {
		t.Error("infinite time accepted")
	}
}

// TestMaximalCliquesAgree: the bit-set and the neighbour-list versions of
// Bron-Kerbosch find the same maximal cliques on random graphs, and every
// clique found is maximal.
func TestMaximalCliquesAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	collect := func(f func([][]int32, func([]int32)), adj [][]int32) []string {
		var out []string
		f(adj, func(c []int32) {
			s := slices.Clone(c)
			slices.Sort(s)
			out = append(out, fmt.Sprint(s))
		})
		slices.Sort(out)
		return out
	}
	for trial := 0; trial < 50; trial++ {
		n := 1 + rng.IntN(40)
		dens := rng.Float64()
		adj := make([][]int32, n)
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if rng.Float64() < dens {
					adj[i] = append(adj[i], int32(j))
					adj[j] = append(adj[j], int32(i))
				}
			}
		}
		for i := range adj {
			slices.Sort(adj[i])
		}
		a, b := collect(maximalCliques, adj), collect(maximalCliquesSparse, adj)
		if !slices.Equal(a, b) {
			t.Fatalf("n=%d: bit sets %v, lists %v", n, a, b)
		}
		// Maximality and clique property, by brute force on one clique.
		var first []int32
		maximalCliques(adj, func(c []int32) {
			if first == nil {
				first = slices.Clone(c)
			}
		})
		has := func(u, v int32) bool { _, ok := slices.BinarySearch(adj[u], v); return ok }
		for _, u := range first {
			for _, v := range first {
				if u != v && !has(u, v) {
					t.Fatalf("%v is not a clique", first)
				}
			}
		}
		for w := int32(0); w < int32(n); w++ {
			if slices.Contains(first, w) {
				continue
			}
			all := true
			for _, u := range first {
				all = all && has(u, w)
			}
			if all {
				t.Fatalf("%v is not maximal: %d joins it", first, w)
			}
		}
	}
}

// TestCorrectedOptions: the options that correct reference quirks change
// results as documented.
func TestCorrectedOptions(t *testing.T) {
	// NoNullCertificate: the lone certificate-less flow no longer inherits
	// the fingerprint through the "no certificate" element (it still gets
	// one by gap filling, from its neighbour in time), and the
	// fingerprint has no NoCertificate element.
	flows := []Flow{
		flowAt(0, "1.0.0.1", 443, "", 0, 5),
		flowAt(1, "1.0.0.2", 443, "", 1, 6),
		flowAt(2, "9.9.9.9", 53, "", 200, 290),
	}
	p := DefaultParams()
	p.NoNullCertificate = true
	res, err := Generate(flows, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fingerprints) != 1 || res.Fingerprints[0].Len() != 2 {
		t.Errorf("NoNullCertificate: %v", res.Fingerprints)
	}
	// FixedBatches: with a 301 s span, batches are [0, 300) and [300, 600)
	// instead of two of 150.5 s.
	g := &generator{p: Params{Batch: 300, FixedBatches: true}, start: []float64{0, 150.6, 299, 301}}
	if got := fmt.Sprint(g.batches()); got != "[[0 3] [3 4]]" {
		t.Errorf("fixed batches %s, want [[0 3] [3 4]]", got)
	}
	g.p.FixedBatches = false
	if got := fmt.Sprint(g.batches()); got != "[[0 1] [1 4]]" {
		t.Errorf("equal-width batches %s, want [[0 1] [1 4]]", got)
	}
	// CertificateHash: two certificates with the same serial are one
	// element by serial, two by hash.
	a := datasets.Packet{Proto: datasets.TCP, Stream: 0, Src: netip.MustParseAddr("1.1.1.1"), Dst: netip.MustParseAddr("10.0.0.1"), SrcPort: 443, DstPort: 50000,
		Cert: []byte{0x30, 0x08, 0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xaa}}
	b := a
	b.Stream, b.Src = 1, netip.MustParseAddr("2.2.2.2")
	b.Cert = []byte{0x30, 0x08, 0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xbb}
	for _, hash := range []bool{false, true} {
		fl, err := FlowsFromPackets([]datasets.Packet{a, b}, "x", FlowOptions{CertificateHash: hash})
		if err != nil {
			t.Fatal(err)
		}
		same := fl[0].Cert == fl[1].Cert
		if same == hash || fl[0].Cert == "" {
			t.Errorf("CertificateHash %v: certificates %q and %q", hash, fl[0].Cert, fl[1].Cert)
		}
	}
}
