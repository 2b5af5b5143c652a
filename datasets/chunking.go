package datasets

import (
	"fmt"
	"time"
)

// ExactSeconds returns the float64 nearest to ns/1e9, the value a correctly
// rounded parse of the decimal seconds text gives (Python's float(), pandas
// with round-trip precision). It is exact where Packet.Seconds, a float64
// conversion followed by a division, can be one unit in the last place off
// for present-day timestamps.
//
// Below 2^53 ns float64(ns) is exact, so one division rounds once. Above,
// the whole seconds are exact and the fraction's rounding error (at most
// 2^-54) is smaller than the distance from ns/1e9 to any rounding midpoint
// of the sum (at least 2^9/(1e9·2^30) ≈ 4.8e-16), so the sum rounds to the
// same float64 as the exact quotient.
func ExactSeconds(ns int64) float64 {
	if ns > -1<<53 && ns < 1<<53 {
		return float64(ns) / 1e9
	}
	return float64(ns/1e9) + float64(ns%1e9)/1e9
}

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
// Index counts chunks from 1. A window that holds no packet is kept as a
// chunk with len(Packets) == 0 (the reference writes an empty file and
// skips it at graph generation), so indices stay aligned with the
// reference's file names.
//
// When the packet times are non-decreasing, each chunk's Packets is a
// subslice of pkts sharing its backing array (no copy; do not append to
// it). Otherwise the packets of each window are gathered, in capture order,
// into a new slice per chunk.
//
// ChunkPackets returns nil for an empty capture. It panics when window and
// overlap fail CheckWindow (callers validate them first).
func ChunkPackets(app, capture string, pkts []Packet, window, overlap time.Duration) []Chunk {
	if err := CheckWindow(window, overlap); err != nil {
		panic(err)
	}
	if len(pkts) == 0 {
		return nil
	}
	secs := make([]float64, len(pkts))
	sorted := true
	for i := range pkts {
		secs[i] = ExactSeconds(pkts[i].Time)
		if i > 0 && secs[i] < secs[i-1] {
			sorted = false
		}
	}
	base, end := secs[0], secs[len(secs)-1]
	step := (window - overlap).Seconds()
	win := window.Seconds()
	var chunks []Chunk
	lo := 0 // sorted case: first packet not before the previous start
	for i := 1; ; i++ {
		k := float64(i - 1)
		if !(base+(k*step+win) < end) {
			break
		}
		start := base + k*step
		stop := start + win
		c := Chunk{App: app, Capture: capture, Index: i, Start: start, Stop: stop}
		if sorted {
			for lo < len(secs) && secs[lo] < start {
				lo++
			}
			hi := lo
			for hi < len(secs) && secs[hi] <= stop {
				hi++
			}
			if hi > lo {
				c.Packets = pkts[lo:hi:hi]
			}
		} else {
			for j, t := range secs {
				if start <= t && t <= stop {
					c.Packets = append(c.Packets, pkts[j])
				}
			}
		}
		chunks = append(chunks, c)
	}
	return chunks
}
