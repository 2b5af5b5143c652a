package datasets_test

import (
	"fmt"
	"time"

	"appbench/datasets"
)

// One packet a minute for ten minutes, cut as in the MAppGraph paper:
// 5-minute windows overlapping by 3 minutes. The packets on a window's
// bounds belong to it, and no window may reach the last packet.
func ExampleChunkPackets() {
	base := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	var pkts []datasets.Packet
	for m := 0; m <= 10; m++ {
		pkts = append(pkts, datasets.Packet{Time: base.Add(time.Duration(m) * time.Minute).UnixNano()})
	}
	b := float64(base.Unix())
	for _, c := range datasets.ChunkPackets("zoom", "zoom_1.pcap", pkts, 5*time.Minute, 3*time.Minute) {
		fmt.Printf("chunk %d: minutes %g to %g, %d packets\n", c.Index, (c.Start-b)/60, (c.Stop-b)/60, len(c.Packets))
	}
	// Output:
	// chunk 1: minutes 0 to 5, 6 packets
	// chunk 2: minutes 2 to 7, 6 packets
	// chunk 3: minutes 4 to 9, 6 packets
}
