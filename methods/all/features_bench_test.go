package all_test

import (
	"testing"
	"time"

	"appbench/datasets"
	"appbench/datasets/synth"
	"appbench/methods"
	_ "appbench/methods/all"
	"appbench/methods/methodtest"
)

// corpusChunks cuts the default synthetic corpus (10 apps x 4 captures of
// 10 minutes) into 5-minute chunks overlapping by 3 minutes, the MAppGraph
// setting.
func corpusChunks(b *testing.B) []methods.Sample {
	b.Helper()
	caps, err := synth.Captures(synth.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	var out []methods.Sample
	for _, c := range caps {
		pkts, err := c.Packets()
		if err != nil {
			b.Fatal(err)
		}
		for _, ch := range datasets.ChunkPackets(c.App, c.Path(), pkts, 5*time.Minute, 3*time.Minute) {
			out = append(out, methods.Sample{Label: ch.App, Capture: ch.Capture, Packets: ch.Packets})
		}
	}
	return out
}

// BenchmarkFeatures measures each shipped method's feature stage on the
// chunks of the default synthetic corpus: one op is one chunk. It reports
// the encoded features per chunk (bytes/chunk) beside the chunk's packets
// (packets/chunk) and the bytes per packet; a datasets.Packet alone takes
// 144 bytes in memory. Run with
//
//	go test ./methods/all/ -run XXX -bench Features -benchtime 200x
func BenchmarkFeatures(b *testing.B) {
	chunks := corpusChunks(b)
	var pkts int
	for _, s := range chunks {
		pkts += len(s.Packets)
	}
	for _, name := range []string{"majority", "destination-set", "flowprint", "appscanner", "graph-rf", "graph-knn", "mappgraph"} {
		f := methodtest.New(b, name, "", 1, 1).(methods.Featurizer)
		b.Run(name, func(b *testing.B) {
			var bytes, n, np int
			for i := 0; b.Loop(); i++ {
				s := chunks[i%len(chunks)]
				enc, err := f.Features(s)
				if err != nil {
					b.Fatal(err)
				}
				bytes += len(enc)
				np += len(s.Packets)
				n++
			}
			b.ReportMetric(float64(bytes)/float64(n), "bytes/chunk")
			b.ReportMetric(float64(np)/float64(n), "packets/chunk")
			b.ReportMetric(float64(bytes)/float64(max(np, 1)), "bytes/packet")
			b.ReportMetric(float64(np)/b.Elapsed().Seconds(), "packets/s")
		})
	}
	b.Logf("%d chunks, %d packets, key of graph-rf: %s", len(chunks), pkts, methodtest.New(b, "graph-rf", "", 1, 1).(methods.Featurizer).FeatureKey())
}
