package synth

import (
	"context"
	"io"
	"testing"
)

// BenchmarkSource measures in-memory record generation.
func BenchmarkSource(b *testing.B) {
	caps, err := Captures(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n int64
	for i := 0; b.Loop(); i++ {
		src := caps[i%len(caps)].Source()
		for src.Scan() {
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkWritePcap measures pcap serialisation.
func BenchmarkWritePcap(b *testing.B) {
	caps, err := Captures(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n, bytes int64
	for i := 0; b.Loop(); i++ {
		st, err := caps[i%len(caps)].WritePcap(context.Background(), io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		n += st.Packets
		bytes += st.Bytes
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(n)/float64(b.N), "packets/capture")
}
