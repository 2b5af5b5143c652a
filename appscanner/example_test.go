package appscanner_test

import (
	"fmt"
	"net/netip"

	"appbench/appscanner"
	"appbench/datasets"
)

func Example() {
	phone := netip.MustParseAddr("192.168.1.10")
	server := netip.MustParseAddr("93.184.216.34")
	const s = int64(1e9)
	t0 := 1600000000 * s
	pkt := func(t int64, out bool, n int) datasets.Packet {
		p := datasets.Packet{Time: t, Proto: datasets.TCP, Src: phone, Dst: server, SrcPort: 40000, DstPort: 443, IPLen: n}
		if !out {
			p.Src, p.Dst, p.SrcPort, p.DstPort = server, phone, 443, 40000
		}
		return p
	}
	packets := []datasets.Packet{
		pkt(t0, true, 60),          // the first packet is always dropped
		pkt(t0+s/10, true, 120),    // burst 1
		pkt(t0+s/5, false, 1500),   // incoming: negative
		pkt(t0+3*s, true, 90),      // more than 1 s later: burst 2
		pkt(t0+3*s+1, false, 1400), // burst 2
	}
	flows, err := appscanner.CSVFlows(packets, appscanner.Options{})
	if err != nil {
		panic(err)
	}
	for _, f := range flows {
		x := appscanner.FlowFeatures(f.Lengths, nil)
		fmt.Printf("%.1f %v:%d %v: incoming max %v, outgoing mean %v, count %v\n",
			f.Key.BurstTime-1600000000, f.Key.LocalIP, f.Key.LocalPort, f.Lengths,
			x[appscanner.StatMax], x[appscanner.StatsLen+appscanner.StatMean], x[2*appscanner.StatsLen+appscanner.StatCount])
	}
	// Output:
	// 0.1 192.168.1.10:40000 [120 -1500]: incoming max -1500, outgoing mean 120, count 2
	// 3.0 192.168.1.10:40000 [90 -1400]: incoming max -1400, outgoing mean 90, count 2
}
