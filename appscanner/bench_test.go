package appscanner

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"appbench/datasets"
)

// benchPackets is 200000 packets of a phone talking to 50 servers over
// about 30 minutes, with a silence of 1.5 s every 400 packets.
func benchPackets() []datasets.Packet {
	rng := rand.New(rand.NewPCG(1, 1))
	phone := netip.MustParseAddr("192.168.1.10")
	out := make([]datasets.Packet, 200000)
	t := int64(1600000000) * 1e9
	for i := range out {
		t += int64(rng.IntN(5e6))
		if i%400 == 399 {
			t += 1.5e9
		}
		srv := netip.AddrFrom4([4]byte{93, 184, 0, byte(rng.IntN(50))})
		p := datasets.Packet{Frame: int64(i + 1), Time: t, Proto: datasets.TCP, IPLen: 40 + rng.IntN(1460)}
		if rng.IntN(2) == 0 {
			p.Src, p.Dst, p.SrcPort, p.DstPort = phone, srv, 40000+uint16(srv.As4()[3]), 443
		} else {
			p.Src, p.Dst, p.SrcPort, p.DstPort = srv, phone, 443, 40000+uint16(srv.As4()[3])
		}
		out[i] = p
	}
	return out
}

func BenchmarkExtract(b *testing.B) {
	pkts := benchPackets()
	for _, mode := range []struct {
		name string
		fn   func([]datasets.Packet, Options) ([]Flow, error)
	}{{"csv", CSVFlows}, {"pcap", PcapFlows}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			var flows int
			for b.Loop() {
				fl, err := mode.fn(pkts, Options{})
				if err != nil {
					b.Fatal(err)
				}
				flows = len(fl)
				_ = Features(fl)
			}
			b.ReportMetric(float64(len(pkts))*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
			b.ReportMetric(float64(flows), "flows")
		})
	}
}
