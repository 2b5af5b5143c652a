package datasets

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// CheckWindow reports whether window and overlap are valid chunking
// parameters: 0 <= overlap < window.
func CheckWindow(window, overlap time.Duration) error {
	if window <= 0 {
		return fmt.Errorf("datasets: chunk window %v must be positive", window)
	}
	if overlap < 0 || overlap >= window {
		return fmt.Errorf("datasets: chunk overlap %v must be at least 0 and less than the window %v", overlap, window)
	}
	return nil
}

// ChunkStats describes how ChunkPackets cut one capture.
type ChunkStats struct {
	// Windows counts the windows of the capture, Empty those without a
	// packet (which ChunkPackets does not return).
	Windows, Empty int
	// Span is the time from the first to the last packet, in seconds (the
	// packets as given: negative when the last is earlier than the first).
	Span float64
}

// ManyEmptyWindows is the number of empty windows above which a capture is
// worth a note (see ChunkStats.Note): a clock jump or a capture spanning
// days with long silences.
const ManyEmptyWindows = 1000

// Note describes an unusual cut for the user: "capture X spans N days; K
// empty windows skipped" when more than ManyEmptyWindows windows were
// empty, else "".
func (s ChunkStats) Note(capture string) string {
	if s.Empty <= ManyEmptyWindows {
		return ""
	}
	return fmt.Sprintf("capture %s spans %.1f days; %d empty windows skipped", capture, s.Span/86400, s.Empty)
}

// ChunkPackets cuts one capture's packets into time windows exactly as
// MAppGraph's generating_samples notebook does (mappgraph.md §3):
//
//	base = time of the first packet, end = time of the last packet
//	for i = 1, 2, ... while base + ((i-1)·step + window) < end:
//	    start = base + (i-1)·step, stop = start + window
//	    chunk i = the packets with start <= time <= stop
//
// with step = window − overlap, all in float64 seconds (times converted by
// ExactSeconds, durations by time.Duration.Seconds, which is exact for whole
// seconds; the reference uses whole minutes). The loop condition is strict,
// so a trailing partial window is never produced, and both bounds are
// inclusive, so a packet on a boundary belongs to both neighbouring chunks.
// The first and last packets are taken as given, not the earliest and
// latest: the reference assumes the capture is in time order.
//
// Index counts windows from 1. Windows that hold no packet are not
// returned (the reference writes an empty file and skips it at graph
// generation); the indices of the others stay those of the reference's
// file names, so they can have gaps. The cost grows with the packets and
// the non-empty windows, not with the time span: a capture whose clock
// jumps by decades costs no more than one without the jump.
//
// When the packet times are non-decreasing, each chunk's Packets is a
// subslice of pkts sharing its backing array (no copy; do not append to
// it). Otherwise the packets of each window are gathered, in capture order,
// into a new slice per chunk.
//
// ChunkPackets returns nil for an empty capture. It panics when window and
// overlap fail CheckWindow (callers validate them first).
func ChunkPackets(app, capture string, pkts []Packet, window, overlap time.Duration) []Chunk {
	chunks, _ := ChunkPacketsStats(app, capture, pkts, window, overlap)
	return chunks
}

// ChunkPacketsStats is ChunkPackets that also tells how many windows there
// were and how many were empty.
func ChunkPacketsStats(app, capture string, pkts []Packet, window, overlap time.Duration) ([]Chunk, ChunkStats) {
	if err := CheckWindow(window, overlap); err != nil {
		panic(err)
	}
	if len(pkts) == 0 {
		return nil, ChunkStats{}
	}
	w := newWindows(pkts, window, overlap)
	var chunks []Chunk
	w.each(func(k, lo, hi int) {
		c := Chunk{App: app, Capture: capture, Index: k + 1, Start: w.start(k), Stop: w.stop(k)}
		c.Packets = w.packets(pkts, lo, hi)
		chunks = append(chunks, c)
	})
	st := ChunkStats{Windows: w.n, Empty: w.n - len(chunks), Span: w.end - w.base}
	return chunks, st
}

// windows is the window arithmetic of ChunkPackets over the packet times in
// time order.
type windows struct {
	base, end, step, win float64
	n                    int       // number of windows
	secs                 []float64 // packet times, sorted
	order                []int     // capture positions of secs; nil when pkts are sorted
}

// maxWindows bounds the window count (reached only with windows of a few
// nanoseconds over centuries), so that indices fit an int.
const maxWindows = 1 << 62

func newWindows(pkts []Packet, window, overlap time.Duration) *windows {
	w := &windows{step: (window - overlap).Seconds(), win: window.Seconds(), secs: make([]float64, len(pkts))}
	sorted := true
	for i := range pkts {
		w.secs[i] = ExactSeconds(pkts[i].Time)
		if i > 0 && w.secs[i] < w.secs[i-1] {
			sorted = false
		}
	}
	w.base, w.end = w.secs[0], w.secs[len(w.secs)-1]
	if !sorted {
		w.order = make([]int, len(pkts))
		for i := range w.order {
			w.order[i] = i
		}
		sort.SliceStable(w.order, func(a, b int) bool { return w.secs[w.order[a]] < w.secs[w.order[b]] })
		s := make([]float64, len(pkts))
		for i, j := range w.order {
			s[i] = w.secs[j]
		}
		w.secs = s
	}
	w.n = w.count()
	return w
}

func (w *windows) start(k int) float64 { return w.base + float64(k)*w.step }
func (w *windows) stop(k int) float64  { return w.start(k) + w.win }

// exists is the reference's loop condition for the window of 0-based k.
func (w *windows) exists(k int) bool { return w.base+(float64(k)*w.step+w.win) < w.end }

// count returns the number of windows: the first k for which exists is
// false (it is monotone in k), found by doubling then bisection.
func (w *windows) count() int {
	hi := 1
	for hi < maxWindows && w.exists(hi-1) {
		hi *= 2
	}
	return sort.Search(hi, func(k int) bool { return !w.exists(k) })
}

// each calls fn for every window k that holds packets, in order, with the
// range [lo, hi) of secs inside it. Empty stretches are jumped over by
// bisection on the window's stop, which grows with k.
func (w *windows) each(fn func(k, lo, hi int)) {
	lo, hi := 0, 0
	for k := 0; k < w.n; {
		start, stop := w.start(k), w.stop(k)
		for lo < len(w.secs) && w.secs[lo] < start {
			lo++
		}
		if lo == len(w.secs) {
			return
		}
		if t := w.secs[lo]; t > stop {
			// The next window that can hold the packet at lo is the first
			// one whose stop reaches it.
			k += 1 + sort.Search(w.n-k-1, func(j int) bool { return w.stop(k+1+j) >= t })
			continue
		}
		hi = max(hi, lo)
		for hi < len(w.secs) && w.secs[hi] <= stop {
			hi++
		}
		fn(k, lo, hi)
		k++
	}
}

// packets returns the packets of sorted positions [lo, hi): a subslice of
// pkts when they are in time order, else a copy in capture order.
func (w *windows) packets(pkts []Packet, lo, hi int) []Packet {
	if w.order == nil {
		return pkts[lo:hi:hi]
	}
	idx := slices.Clone(w.order[lo:hi])
	slices.Sort(idx)
	out := make([]Packet, len(idx))
	for i, j := range idx {
		out[i] = pkts[j]
	}
	return out
}
