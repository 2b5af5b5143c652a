package flowprint

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"appbench/datasets"
)

// benchPackets generates about n packets of synthetic mobile traffic: 100
// apps, each with 20 own destinations and access to 10 shared ones (CDNs,
// DNS), 70 % of destinations with a certificate; app sessions of 1-5
// minutes start at random over four hours (several apps overlap), each
// opening flows of 1-60 packets to a random subset of its destinations.
// Packets are returned in time order with tshark-like stream numbers.
func benchPackets(seed uint64, n int) []datasets.Packet {
	rng := rand.New(rand.NewPCG(seed, 99))
	type dest struct {
		addr netip.Addr
		port uint16
	}
	const apps, own, sharedN = 100, 20, 10
	var shared []dest
	for i := 0; i < sharedN; i++ {
		shared = append(shared, dest{netip.AddrFrom4([4]byte{8, 8, byte(i), 1}), 443})
	}
	appDst := make([][]dest, apps)
	for a := range appDst {
		for d := 0; d < own; d++ {
			appDst[a] = append(appDst[a], dest{netip.AddrFrom4([4]byte{20 + byte(a/50), byte(a), byte(d), 1}), []uint16{443, 443, 80, 5228}[d%4]})
		}
	}
	certOf := func(d dest) []byte {
		b := d.addr.As4()
		if (int(b[1])+int(b[2]))%10 >= 7 {
			return nil
		}
		// A DER certificate prefix up to its serial number.
		return []byte{0x30, 0x0d, 0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x04, b[0], b[1], b[2], b[3]}
	}
	client := netip.AddrFrom4([4]byte{192, 168, 1, 20})
	var pkts []datasets.Packet
	var stream int64
	base := int64(1_700_000_000) * 1e9
	for len(pkts) < n {
		a := rng.IntN(apps)
		start := rng.Float64() * 4 * 3600
		dur := 60 + rng.Float64()*240
		nflows := 5 + rng.IntN(30)
		for f := 0; f < nflows; f++ {
			var d dest
			if rng.IntN(4) == 0 {
				d = shared[rng.IntN(sharedN)]
			} else {
				d = appDst[a][rng.IntN(own)]
			}
			t := start + rng.Float64()*dur
			np := 1 + rng.IntN(60)
			sport := uint16(32768 + rng.IntN(28000))
			for k := 0; k < np; k++ {
				p := datasets.Packet{Time: base + int64(t*1e9), Proto: datasets.TCP, Stream: stream,
					Src: client, Dst: d.addr, SrcPort: sport, DstPort: d.port, IPLen: 40 + rng.IntN(1400)}
				if k%2 == 1 {
					p.Src, p.Dst, p.SrcPort, p.DstPort = p.Dst, p.Src, p.DstPort, p.SrcPort
					if k == 1 {
						p.Cert = certOf(d)
					}
				}
				pkts = append(pkts, p)
				t += rng.ExpFloat64() * 2
			}
			stream++
		}
	}
	slices.SortStableFunc(pkts, func(a, b datasets.Packet) int { return cmp.Compare(a.Time, b.Time) })
	return pkts
}

func benchFlowsOf(b testing.TB, pkts []datasets.Packet) []Flow {
	flows, err := FlowsFromPackets(pkts, "bench", FlowOptions{CertConflict: CertKeepFirst})
	if err != nil {
		b.Fatal(err)
	}
	return flows
}

// BenchmarkGenerate measures fingerprint generation on about one million
// packets (flows built beforehand); it reports flows/s and packets/s of
// wall time, and the process CPU time per operation (cpu-s/op,
// flows/cpu-s), which stays meaningful on a shared, loaded machine. Run
// with -cpu 1 for single-core figures.
func BenchmarkGenerate(b *testing.B) {
	pkts := benchPackets(1, 1_000_000)
	flows := benchFlowsOf(b, pkts)
	b.ResetTimer()
	var res *Result
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		var err error
		if res, err = Generate(flows, DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
	cpu := (processCPU() - cpu0).Seconds() / float64(b.N)
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(len(flows))/sec, "flows/s")
	b.ReportMetric(float64(len(pkts))/sec, "packets/s")
	b.ReportMetric(cpu, "cpu-s/op")
	if cpu > 0 {
		b.ReportMetric(float64(len(flows))/cpu, "flows/cpu-s")
	}
	b.ReportMetric(float64(len(res.Fingerprints)), "fingerprints")
}

// BenchmarkFlowsAndFit measures the whole path from packet records to a
// labelled model on about one million packets.
func BenchmarkFlowsAndFit(b *testing.B) {
	pkts := benchPackets(1, 1_000_000)
	b.ResetTimer()
	var nflows int
	for i := 0; i < b.N; i++ {
		flows := benchFlowsOf(b, pkts)
		nflows = len(flows)
		m := NewModel(DefaultParams())
		if err := m.Fit(flows, nil); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(nflows)/sec, "flows/s")
	b.ReportMetric(float64(len(pkts))/sec, "packets/s")
}

// TestBenchInputShape guards the benchmark input: about a million packets,
// tens of thousands of flows, certificates on most destinations, and a
// non-trivial number of fingerprints.
func TestBenchInputShape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a million packets")
	}
	pkts := benchPackets(1, 1_000_000)
	flows := benchFlowsOf(t, pkts)
	certs := 0
	for _, f := range flows {
		if f.Cert != "" {
			certs++
		}
	}
	res, err := Generate(flows, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d packets, %d flows (%d with certificate), %d fingerprints", len(pkts), len(flows), certs, len(res.Fingerprints))
	if len(pkts) < 1_000_000 || len(flows) < 10_000 || certs == 0 || len(res.Fingerprints) < 50 {
		t.Errorf("benchmark input too small: %s", fmt.Sprint(len(pkts), len(flows), certs, len(res.Fingerprints)))
	}
}
