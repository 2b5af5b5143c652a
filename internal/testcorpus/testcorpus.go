package testcorpus

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"appbench/datasets"
)

// Apps are the apps of a corpus, one folder each.
var Apps = []string{"maps", "music", "news", "video"}

// Captures is the number of captures of each app, numbered from 1.
const Captures = 3

// Spec says what the captures of a corpus hold.
type Spec struct {
	// Requests is the number of request-reply pairs of a capture.
	Requests int
	// Request returns request i of capture k of app Apps[app]. Write
	// calls it once per request, app by app, capture by capture, request
	// by request, so that it may draw from a random source.
	Request func(app, k, i int) datasets.Packet
	// ReplyDelay is the time from a request to its reply, in nanoseconds.
	// The reply is the request with the endpoints swapped.
	ReplyDelay int64
}

// Client returns the client address of capture k: 10.0.k.2.
func Client(k int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, byte(k), 2}) }

// Start returns the time of the first packet of capture k, in nanoseconds
// since the epoch: k days after 2023-11-14 22:13:20 UTC.
func Start(k int) int64 { return int64(1_700_000_000+86400*k) * 1e9 }

// Write writes the corpus that s describes under root (which may exist).
func Write(tb testing.TB, root string, s Spec) {
	tb.Helper()
	for ai, app := range Apps {
		if err := os.MkdirAll(filepath.Join(root, app), 0o755); err != nil {
			tb.Fatal(err)
		}
		for k := 1; k <= Captures; k++ {
			path := filepath.Join(root, app, fmt.Sprintf("%s_%d.csv", app, k))
			if err := writeCapture(path, s, ai, k); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// writeCapture writes capture k of app index ai to path.
func writeCapture(path string, s Spec, ai, k int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := datasets.NewCSVWriter(f)
	for i := 0; i < s.Requests; i++ {
		out := s.Request(ai, k, i)
		back := out
		back.Time += s.ReplyDelay
		back.Src, back.Dst, back.SrcPort, back.DstPort = out.Dst, out.Src, out.DstPort, out.SrcPort
		for _, p := range []*datasets.Packet{&out, &back} {
			if err := w.Write(p); err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
