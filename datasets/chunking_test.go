package datasets

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"appbench/internal/shared"
)

// at returns packets at the given offsets in seconds from base seconds,
// each tagged by its position in Frame.
func pktsAt(base int64, offsets ...float64) []Packet {
	pkts := make([]Packet, len(offsets))
	for i, o := range offsets {
		pkts[i] = Packet{Frame: int64(i + 1), Time: base*1e9 + int64(o*1e9)}
	}
	return pkts
}

// frames lists the Frame numbers of a chunk's packets.
func chunkFrames(c Chunk) []int64 {
	var f []int64
	for _, p := range c.Packets {
		f = append(f, p.Frame)
	}
	return f
}

func equalInt64s(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestChunkPacketsHandComputed checks windows worked out by hand for the
// reference setting (5 min windows, 3 min overlap, so a 2 min step).
func TestChunkPacketsHandComputed(t *testing.T) {
	// One packet a minute from t=1000 s to t=1600 s (11 packets).
	var offs []float64
	for m := 0; m <= 10; m++ {
		offs = append(offs, float64(60*m))
	}
	pkts := pktsAt(1000, offs...)
	got := ChunkPackets("app", "cap", pkts, 5*time.Minute, 3*time.Minute)
	// end = 1600. i=1: 1000+300 < 1600; i=2: 1000+420 < 1600;
	// i=3: 1000+540 < 1600; i=4: 1000+660 is not < 1600.
	want := []struct {
		start, stop float64
		frames      []int64
	}{
		{1000, 1300, []int64{1, 2, 3, 4, 5, 6}},  // minutes 0..5, both ends inclusive
		{1120, 1420, []int64{3, 4, 5, 6, 7, 8}},  // minutes 2..7
		{1240, 1540, []int64{5, 6, 7, 8, 9, 10}}, // minutes 4..9
	}
	if len(got) != len(want) {
		t.Fatalf("%d chunks, want %d", len(got), len(want))
	}
	for i, w := range want {
		c := got[i]
		if c.App != "app" || c.Capture != "cap" || c.Index != i+1 || c.Start != w.start || c.Stop != w.stop || !equalInt64s(chunkFrames(c), w.frames) {
			t.Errorf("chunk %d = {%s %s %d [%v,%v] %v}, want index %d [%v,%v] %v", i, c.App, c.Capture, c.Index, c.Start, c.Stop, chunkFrames(c), i+1, w.start, w.stop, w.frames)
		}
	}
	// Subslices of the input, no copy.
	if &got[1].Packets[0] != &pkts[2] {
		t.Error("chunk packets do not share the input's backing array")
	}
	if cap(got[0].Packets) != len(got[0].Packets) {
		t.Error("chunk packets can be appended into the next chunk")
	}
}

// TestChunkPacketsStrictEnd: when the last window would end exactly at the
// last packet, the strict loop condition drops it.
func TestChunkPacketsStrictEnd(t *testing.T) {
	// Packets each minute from 0 to 9 minutes: end = base + 540.
	var offs []float64
	for m := 0; m <= 9; m++ {
		offs = append(offs, float64(60*m))
	}
	got := ChunkPackets("a", "c", pktsAt(5000, offs...), 5*time.Minute, 3*time.Minute)
	// i=3 would need 5000+540 < 5540: false.
	if len(got) != 2 {
		t.Fatalf("%d chunks, want 2", len(got))
	}
	// One nanosecond later the third window [5240, 5540] exists, and the
	// last packet, now just after its stop, is not in it.
	pk := pktsAt(5000, offs...)
	pk[len(pk)-1].Time++
	if got := ChunkPackets("a", "c", pk, 5*time.Minute, 3*time.Minute); len(got) != 3 || !equalInt64s(chunkFrames(got[2]), []int64{5, 6, 7, 8, 9}) {
		t.Fatalf("with the last packet 1 ns later: %d chunks", len(got))
	}
	// A capture shorter than one window gives no chunk.
	if got := ChunkPackets("a", "c", pktsAt(0, 0, 100, 299.5), 5*time.Minute, 0); got != nil {
		t.Fatalf("short capture gave %d chunks", len(got))
	}
	if got := ChunkPackets("a", "c", nil, time.Minute, 0); got != nil {
		t.Fatalf("empty capture gave %d chunks", len(got))
	}
}

// TestChunkPacketsEmptyWindows: windows without packets are kept with their
// index; the trailing partial window is never produced.
func TestChunkPacketsEmptyWindows(t *testing.T) {
	got := ChunkPackets("a", "c", pktsAt(100, 0, 1, 60, 1000), time.Minute, 0)
	// i-th window [100+60(i-1), 100+60i]; condition 100+60i < 1100, i <= 16.
	if len(got) != 16 {
		t.Fatalf("%d chunks, want 16", len(got))
	}
	if !equalInt64s(chunkFrames(got[0]), []int64{1, 2, 3}) || !equalInt64s(chunkFrames(got[1]), []int64{3}) {
		t.Errorf("chunks 1, 2 = %v, %v; want [1 2 3], [3] (the packet at 60 s is on both bounds)", chunkFrames(got[0]), chunkFrames(got[1]))
	}
	for _, c := range got[2:] {
		if len(c.Packets) != 0 {
			t.Errorf("chunk %d has %d packets, want 0", c.Index, len(c.Packets))
		}
	}
	if got[15].Index != 16 || got[15].Start != 1000 || got[15].Stop != 1060 {
		t.Errorf("last chunk %d [%v, %v], want 16 [1000, 1060]", got[15].Index, got[15].Start, got[15].Stop)
	}
}

// TestChunkPacketsUnsorted: out-of-order timestamps select by time and keep
// capture order; base and end are the first and last rows, not min and max.
func TestChunkPacketsUnsorted(t *testing.T) {
	pkts := pktsAt(0, 0, 30, 10, 70, 65, 61, 200)
	got := ChunkPackets("a", "c", pkts, time.Minute, 30*time.Second)
	// Windows [0,60], [30,90], [60,120], [90,150], [120,180]; i=6 needs 210 < 200.
	want := [][]int64{{1, 2, 3}, {2, 4, 5, 6}, {4, 5, 6}, {}, {}}
	if len(got) != len(want) {
		t.Fatalf("%d chunks, want %d", len(got), len(want))
	}
	for i := range want {
		if !equalInt64s(chunkFrames(got[i]), want[i]) {
			t.Errorf("chunk %d = %v, want %v", i+1, chunkFrames(got[i]), want[i])
		}
	}
	pkts[0].Frame = 99
	if got[0].Packets[0].Frame != 1 {
		t.Error("unsorted chunks share the input array")
	}
	// Last row earlier than the first: no chunk (end < base + window).
	if got := ChunkPackets("a", "c", pktsAt(0, 500, 0), time.Minute, 0); got != nil {
		t.Errorf("last row before the first gave %d chunks", len(got))
	}
}

func TestCheckWindow(t *testing.T) {
	for _, c := range []struct {
		w, o time.Duration
		ok   bool
	}{{5 * time.Minute, 3 * time.Minute, true}, {time.Minute, 0, true}, {0, 0, false}, {time.Minute, time.Minute, false}, {time.Minute, -1, false}, {-time.Minute, 0, false}} {
		if err := CheckWindow(c.w, c.o); (err == nil) != c.ok {
			t.Errorf("CheckWindow(%v, %v) = %v", c.w, c.o, err)
		}
	}
}

// TestChunkPacketsGoldenNaive cuts each golden chunk file again with short
// windows and compares with a direct transcription of the notebook loop
// over the CSV text, timestamps parsed with strconv.ParseFloat as Python's
// float() does.
func TestChunkPacketsGoldenNaive(t *testing.T) {
	files := shared.Glob(t, "golden/mappgraph/chunks/*/*.csv")
	params := [][2]time.Duration{{time.Minute, 0}, {20 * time.Second, 10 * time.Second}, {5 * time.Second, 2 * time.Second}, {2 * time.Minute, time.Minute}}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pkts := csvReadAll(t, filepath.Base(f), data)
		for i := range pkts {
			pkts[i].Frame = int64(i)
		}
		var ts []float64
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
			v, err := strconv.ParseFloat(strings.Split(line, ",")[3], 64)
			if err != nil {
				t.Fatal(err)
			}
			ts = append(ts, v)
		}
		for _, wo := range params {
			got := ChunkPackets("a", f, pkts, wo[0], wo[1])
			var want [][]int64
			if len(ts) > 0 {
				base, end := ts[0], ts[len(ts)-1]
				T, O := wo[0].Seconds(), wo[1].Seconds()
				for i := 1; base+((float64(i)-1)*(T-O)+T) < end; i++ {
					start := base + (float64(i)-1)*(T-O)
					stop := start + T
					rows := []int64{}
					for j, v := range ts {
						if start <= v && v <= stop {
							rows = append(rows, int64(j))
						}
					}
					want = append(want, rows)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s %v/%v: %d chunks, want %d", f, wo[0], wo[1], len(got), len(want))
			}
			for i := range want {
				if !equalInt64s(chunkFrames(got[i]), want[i]) && !(len(want[i]) == 0 && len(got[i].Packets) == 0) {
					t.Fatalf("%s %v/%v: chunk %d rows %v, want %v", f, wo[0], wo[1], i+1, chunkFrames(got[i]), want[i])
				}
			}
			total += len(got)
		}
	}
	t.Logf("%d chunks over %d files agree", total, len(files))
}

func BenchmarkChunkPackets(b *testing.B) {
	pkts := make([]Packet, 100000)
	for i := range pkts {
		pkts[i].Time = 1_600_000_000_000_000_000 + int64(i)*72_000_000 // two hours
	}
	b.ReportAllocs()
	for b.Loop() {
		if c := ChunkPackets("a", "c", pkts, 5*time.Minute, 3*time.Minute); len(c) == 0 {
			b.Fatal("no chunk")
		}
	}
}
