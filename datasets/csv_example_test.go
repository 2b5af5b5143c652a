package datasets_test

import (
	"fmt"
	"os"
	"strings"

	"appbench/datasets"
)

func ExampleNewCSVReader() {
	const data = `,protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate
0,tcp,0,1516186786.703072,66,192.168.235.1,192.168.235.136,53649,8089,
1,udp,4,1516186787.5,120,2001:db8::1,2001:db8::53,40000,53,
`
	r, err := datasets.NewCSVReader(strings.NewReader(data), "sample.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	for r.Scan() {
		p := r.Packet()
		fmt.Println(p.Proto, p.Stream, p.Time, p.IPLen, p.Src, p.SrcPort, p.Dst, p.DstPort)
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// tcp 0 1516186786703072000 66 192.168.235.1 53649 192.168.235.136 8089
	// udp 4 1516186787500000000 120 2001:db8::1 40000 2001:db8::53 53
}

func ExampleCSVWriter() {
	w := datasets.NewCSVWriter(os.Stdout)
	p := datasets.Packet{Time: 1600896590_034787000, Proto: datasets.TCP, Stream: 69, IPLen: 55, SrcPort: 443, DstPort: 39722}
	if err := w.Write(&p); err != nil {
		fmt.Println(err)
	}
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ,protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate
	// 0,tcp,69,1600896590.034787,55,,,443,39722,
}
