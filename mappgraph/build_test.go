package mappgraph

import (
	"errors"
	"math"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"appbench/datasets"
)

const device = "192.168.1.2"

// pkt makes a packet between the device (port 40000+) and a service at
// seconds t after a fixed base time.
func pkt(t float64, service string, port uint16, out bool, length int, stream int64) datasets.Packet {
	p := datasets.Packet{
		Time: 1_600_000_000_000_000_000 + int64(math.Round(t*1e9)), Proto: datasets.TCP,
		Stream: stream, IPLen: length, FrameLen: length,
	}
	dev, svc := netip.MustParseAddr(device), netip.MustParseAddr(service)
	if out {
		p.Src, p.Dst, p.SrcPort, p.DstPort = dev, svc, 40000, port
	} else {
		p.Src, p.Dst, p.SrcPort, p.DstPort = svc, dev, port, 40000
	}
	return p
}

func TestBuildSmall(t *testing.T) {
	pkts := []datasets.Packet{
		// A: 4 packets in slices 0 and 1, two flows (one UDP).
		pkt(0, "1.1.1.1", 443, true, 100, 0),
		pkt(1, "1.1.1.1", 443, false, 300, 0),
		pkt(12, "1.1.1.1", 443, true, 200, 1),
		pkt(14, "1.1.1.1", 443, false, 600, 1),
		// B: 3 packets in slice 0.
		pkt(2, "2.2.2.2", 443, true, 50, 2),
		pkt(3, "2.2.2.2", 443, false, 70, 2),
		pkt(4, "2.2.2.2", 443, false, 90, 2),
		// C: 2 packets in slice 1.
		pkt(15, "3.3.3.3", 80, true, 60, 3),
		pkt(16, "3.3.3.3", 80, false, 1500, 3),
		// D: the most packets but incoming only: dropped by the inner join.
		pkt(1, "4.4.4.4", 443, false, 60, 4), pkt(2, "4.4.4.4", 443, false, 60, 4),
		pkt(3, "4.4.4.4", 443, false, 60, 4), pkt(4, "4.4.4.4", 443, false, 60, 4),
		pkt(5, "4.4.4.4", 443, false, 60, 4),
		// E: only at 100 s: isolated, removed.
		pkt(100, "5.5.5.5", 443, true, 60, 5), pkt(101, "5.5.5.5", 443, false, 60, 5),
		// DNS and equal ports: filtered.
		pkt(0, "8.8.8.8", 53, true, 70, 6), pkt(0, "8.8.8.8", 53, false, 170, 6),
	}
	pkts[2].Proto = datasets.UDP
	eq := pkt(3, "9.9.9.9", 40000, true, 70, 7)
	pkts = append(pkts, eq, eq, eq, eq, eq, eq, eq)
	g, err := Build(pkts, DefaultBuildOptions)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for _, n := range g.Nodes {
		keys = append(keys, n.IP)
	}
	if len(g.Nodes) != 3 || g.Nodes[0].IP != "1.1.1.1" || g.Nodes[1].IP != "2.2.2.2" || g.Nodes[2].IP != "3.3.3.3" || g.Nodes[2].Port != 80 {
		t.Fatalf("nodes %v, want 1.1.1.1, 2.2.2.2, 3.3.3.3", keys)
	}
	a := g.Nodes[0].Features
	want := map[int]float64{
		0: 600, 1: 100, 2: 300, 8: 4, // complete max, min, mean, pkt_num
		offOut + 8: 2, offOut + 2: 150, offIn + 8: 2, offIn + 0: 600,
		offOut + 4: 0, offOut + 6: 0, // std of 2 values is defined; skew NaN → 0
		// Flows (0, tcp): 2 packets, 400 B, 1 s; (1, udp) and (1, tcp): one
		// packet each (the flow key includes is_tcp).
		FeatureProtocol: 2.0 / 3, FeatureFlowsNum: 3, FeatureFlowsNum + 1: 400, FeatureFlowsNum + 2: 4.0 / 3,
		FeatureFlowsNum + 3: 1.0 / 3, FeatureIP1: 1, FeatureIP1 + 3: 1,
	}
	want[offOut+4] = math.Sqrt(5000)
	for f, w := range want {
		if math.Abs(a[f]-w) > 1e-12 {
			t.Errorf("node A %s = %v, want %v", featureNames[f], a[f], w)
		}
	}
	// Pairs A-B (1 shared slice), A-C (1), B-C (0) normalised to 1, 1, 0.
	wantEdges := []Edge{{Source: 0, Target: 1, Weight: 1}, {Source: 0, Target: 2, Weight: 1}, {Source: 1, Target: 2, Weight: 0}}
	if len(g.Edges) != len(wantEdges) {
		t.Fatalf("edges %v, want %v", g.Edges, wantEdges)
	}
	for i, e := range g.Edges {
		if e != wantEdges[i] {
			t.Errorf("edge %d = %v, want %v", i, e, wantEdges[i])
		}
	}
}

func TestBuildOutcomes(t *testing.T) {
	if _, err := Build(nil, DefaultBuildOptions); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty chunk: %v", err)
	}
	dns := []datasets.Packet{pkt(0, "8.8.8.8", 53, true, 70, 0)}
	if _, err := Build(dns, DefaultBuildOptions); !errors.Is(err, ErrSkipped) {
		t.Errorf("DNS only: %v", err)
	}
	inOnly := []datasets.Packet{pkt(0, "1.1.1.1", 443, false, 70, 0), pkt(1, "2.2.2.2", 443, false, 70, 1)}
	if _, err := Build(inOnly, DefaultBuildOptions); !errors.Is(err, ErrDegenerate) {
		t.Errorf("incoming packets only (empty joins): %v", err)
	}
	two := []datasets.Packet{
		pkt(0, "1.1.1.1", 443, true, 70, 0), pkt(1, "1.1.1.1", 443, false, 70, 0),
		pkt(0, "2.2.2.2", 443, true, 70, 1), pkt(1, "2.2.2.2", 443, false, 70, 1),
	}
	if _, err := Build(two, DefaultBuildOptions); !errors.Is(err, ErrDegenerate) {
		t.Errorf("two nodes: %v", err)
	}
	// Three nodes active in the same slice: every weight is 0/0 = NaN.
	three := append(two, pkt(2, "3.3.3.3", 443, true, 70, 2), pkt(3, "3.3.3.3", 443, false, 70, 2))
	g, err := Build(three, DefaultBuildOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range g.Edges {
		if !math.IsNaN(e.Weight) {
			t.Errorf("all-equal weights: %v, want NaN", e.Weight)
		}
	}
	// An IPv6 node makes the reference's octet parsing fail.
	v6 := append(three, pkt(2, "2001:db8::1", 443, true, 70, 3), pkt(3, "2001:db8::1", 443, false, 70, 3))
	if _, err := Build(v6, DefaultBuildOptions); !errors.Is(err, ErrSkipped) {
		t.Errorf("IPv6 node: %v", err)
	}
	// MaxNodes keeps the destinations with the most packets.
	g, err = Build(append(three, pkt(1, "4.4.4.4", 443, true, 70, 4)), BuildOptions{MaxNodes: 3, Slice: time.Second})
	if err == nil {
		for _, n := range g.Nodes {
			if n.IP == "4.4.4.4" {
				t.Errorf("node 4.4.4.4 kept with MaxNodes 3")
			}
		}
	}
}

// synthChunk makes a seeded 5-minute chunk: nDest destinations with
// Zipf-like packet counts, each reached over four streams (conversations),
// nPkts packets in time order with destinations interleaved at random.
func synthChunk(seed uint64, nDest, nPkts int) []datasets.Packet {
	r := rand.New(rand.NewPCG(seed, 7))
	dev := netip.MustParseAddr(device)
	type dest struct {
		addr netip.Addr
		port uint16
	}
	ds := make([]dest, nDest)
	for i := range ds {
		ds[i] = dest{netip.AddrFrom4([4]byte{byte(20 + r.IntN(200)), byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(254))}),
			[]uint16{443, 80, 8080, 5228}[r.IntN(4)]}
	}
	base := int64(1_600_000_000_000_000_000)
	pkts := make([]datasets.Packet, nPkts)
	for i := range pkts {
		di := int(float64(nDest) * math.Pow(r.Float64(), 3))
		d := ds[di]
		s := 4*di + r.IntN(4)
		p := datasets.Packet{Time: base + int64(i)*int64(300*time.Second)/int64(nPkts) + int64(r.IntN(1000)),
			Proto: datasets.TCP, Stream: int64(s), IPLen: 40 + r.IntN(1460)}
		p.FrameLen = p.IPLen
		local := uint16(30000 + s)
		if r.IntN(2) == 0 {
			p.Src, p.Dst, p.SrcPort, p.DstPort = dev, d.addr, local, d.port
		} else {
			p.Src, p.Dst, p.SrcPort, p.DstPort = d.addr, dev, d.port, local
		}
		pkts[i] = p
	}
	return pkts
}

// BenchmarkBuild5Min builds a graph from a synthetic 5-minute chunk of
// 20,000 packets to 60 destinations.
func BenchmarkBuild5Min(b *testing.B) {
	pkts := synthChunk(1, 60, 20000)
	var bl Builder
	b.ReportAllocs()
	b.SetBytes(int64(len(pkts)))
	for b.Loop() {
		if _, err := bl.Build(pkts, DefaultBuildOptions); err != nil {
			b.Fatal(err)
		}
	}
}
