package synth

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"
)

// defaultCaptures returns the captures of the default corpus.
func defaultCaptures(b *testing.B) []Capture {
	b.Helper()
	caps, err := Captures(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	return caps
}

// BenchmarkSource measures in-memory record generation.
func BenchmarkSource(b *testing.B) {
	caps := defaultCaptures(b)
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
	caps := defaultCaptures(b)
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

// BenchmarkMillionPackets streams one capture of over a million packets and
// reports the largest heap seen: memory must not grow with the capture.
//
//	go test -run XXX -bench MillionPackets -benchtime 1x ./datasets/synth/
func BenchmarkMillionPackets(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Apps, cfg.CapturesPerApp = 1, 1
	cfg.Duration = 48 * time.Hour
	cfg.Activity = 8
	caps, err := Captures(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	var peak uint64
	var ms runtime.MemStats
	for b.Loop() {
		src := caps[0].Source()
		for src.Scan() {
			n++
			if n%200000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}
	b.ReportMetric(float64(n)/float64(b.N), "packets/capture")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}
