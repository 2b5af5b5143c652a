package datasets

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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
		if c.App != "app" || c.Capture != "cap" || c.Index != i+1 || c.Start != w.start || c.Stop != w.stop || !slices.Equal(chunkFrames(c), w.frames) {
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
	if got := ChunkPackets("a", "c", pk, 5*time.Minute, 3*time.Minute); len(got) != 3 || !slices.Equal(chunkFrames(got[2]), []int64{5, 6, 7, 8, 9}) {
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

// TestChunkPacketsEmptyWindows: windows without packets are counted but not
// returned, and the other windows keep their index; the trailing partial
// window is never produced.
func TestChunkPacketsEmptyWindows(t *testing.T) {
	got, st := ChunkPacketsStats("a", "c", pktsAt(100, 0, 1, 60, 1000), time.Minute, 0)
	// i-th window [100+60(i-1), 100+60i]; condition 100+60i < 1100, i <= 16.
	if st.Windows != 16 || st.Empty != 14 || st.Span != 1000 {
		t.Fatalf("stats %+v, want 16 windows, 14 empty, span 1000", st)
	}
	if len(got) != 2 {
		t.Fatalf("%d chunks, want 2", len(got))
	}
	if got[0].Index != 1 || got[1].Index != 2 || !slices.Equal(chunkFrames(got[0]), []int64{1, 2, 3}) || !slices.Equal(chunkFrames(got[1]), []int64{3}) {
		t.Errorf("chunks %d, %d = %v, %v; want 1 [1 2 3], 2 [3] (the packet at 60 s is on both bounds)", got[0].Index, got[1].Index, chunkFrames(got[0]), chunkFrames(got[1]))
	}
	if note := st.Note("c"); note != "" {
		t.Errorf("note %q for 14 empty windows", note)
	}
	// A packet in the middle of the gap keeps its window's index.
	got = ChunkPackets("a", "c", pktsAt(100, 0, 1, 60, 600, 1000), time.Minute, 0)
	if len(got) != 4 || got[2].Index != 10 || got[3].Index != 11 || !slices.Equal(chunkFrames(got[2]), []int64{4}) {
		t.Errorf("chunks %+v, want windows 1, 2, 10 and 11", got)
	}
}

// TestChunkPacketsClockJump: a capture whose last packet is decades after
// the first costs as much as one without the jump and is worth a note.
func TestChunkPacketsClockJump(t *testing.T) {
	pkts := []Packet{{Frame: 1, Time: 117442577131350000}, {Frame: 3, Time: 2145916800000000000}} // 1973, 2038
	allocs := testing.AllocsPerRun(10, func() {
		ChunkPackets("a", "c", pkts, 30*time.Second, 10*time.Second)
	})
	got, st := ChunkPacketsStats("a", "c", pkts, 30*time.Second, 10*time.Second)
	if len(got) != 1 || got[0].Index != 1 || !slices.Equal(chunkFrames(got[0]), []int64{1}) {
		t.Fatalf("chunks %+v, want the first window only", got)
	}
	if st.Windows < 100_000_000 || st.Empty != st.Windows-1 {
		t.Errorf("stats %+v, want about 1e8 windows, all but one empty", st)
	}
	if allocs > 10 {
		t.Errorf("%v allocations", allocs)
	}
	note := st.Note("x.pcap")
	if !strings.HasPrefix(note, "capture x.pcap spans 23477.7 days") || !strings.HasSuffix(note, fmt.Sprintf("; %d empty windows skipped", st.Empty)) {
		t.Errorf("note %q", note)
	}
}

// TestChunkPacketsUnsorted: out-of-order timestamps select by time and keep
// capture order; base and end are the first and last rows, not min and max.
func TestChunkPacketsUnsorted(t *testing.T) {
	pkts := pktsAt(0, 0, 30, 10, 70, 65, 61, 200)
	got := ChunkPackets("a", "c", pkts, time.Minute, 30*time.Second)
	// Windows [0,60], [30,90], [60,120], [90,150], [120,180]; i=6 needs 210 < 200.
	// The last two are empty.
	want := [][]int64{{1, 2, 3}, {2, 4, 5, 6}, {4, 5, 6}}
	if len(got) != len(want) {
		t.Fatalf("%d chunks, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(chunkFrames(got[i]), want[i]) {
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
			var index []int
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
					if len(rows) > 0 {
						want = append(want, rows)
						index = append(index, i)
					}
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s %v/%v: %d chunks, want %d", f, wo[0], wo[1], len(got), len(want))
			}
			for i := range want {
				if got[i].Index != index[i] || !slices.Equal(chunkFrames(got[i]), want[i]) {
					t.Fatalf("%s %v/%v: chunk %d rows %v, want chunk %d rows %v", f, wo[0], wo[1], got[i].Index, chunkFrames(got[i]), index[i], want[i])
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

// refChunkPackets is ChunkPackets as it was before empty windows were
// skipped: it walks every window and, for unsorted input, scans every
// packet per window. Empty windows are left out of its result so that it
// can be compared with ChunkPackets.
func refChunkPackets(app, capture string, pkts []Packet, window, overlap time.Duration) []Chunk {
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
	lo := 0
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
		if len(c.Packets) > 0 {
			chunks = append(chunks, c)
		}
	}
	return chunks
}

// TestChunkPacketsMatchesReference compares ChunkPackets with the
// window-by-window algorithm on random captures: sorted, shuffled, with
// ties, gaps, and times on window bounds.
func TestChunkPacketsMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	params := [][2]time.Duration{{time.Minute, 0}, {30 * time.Second, 10 * time.Second}, {5 * time.Minute, 3 * time.Minute}, {10 * time.Second, 9 * time.Second}, {1500 * time.Millisecond, 700 * time.Millisecond}}
	for trial := 0; trial < 400; trial++ {
		n := 1 + r.IntN(60)
		base := int64(r.IntN(2_000_000_000)) * 1e9
		pkts := make([]Packet, n)
		t0 := base
		for i := range pkts {
			switch r.IntN(4) {
			case 0: // same time as the previous packet
			case 1: // on a whole ten seconds, often a window bound
				t0 += int64(r.IntN(5)) * 10e9
			case 2:
				t0 += int64(r.IntN(600)) * 1e9 // long gap
			default:
				t0 += int64(r.IntN(5_000_000_000))
			}
			pkts[i] = Packet{Frame: int64(i + 1), Time: t0}
		}
		if trial%2 == 1 { // out of order: shuffle, or move a few packets
			if trial%4 == 1 {
				r.Shuffle(n, func(i, j int) { pkts[i], pkts[j] = pkts[j], pkts[i] })
			} else {
				for m := 0; m < 3; m++ {
					i, j := r.IntN(n), r.IntN(n)
					pkts[i], pkts[j] = pkts[j], pkts[i]
				}
			}
		}
		for _, wo := range params {
			got := ChunkPackets("a", "c", pkts, wo[0], wo[1])
			want := refChunkPackets("a", "c", pkts, wo[0], wo[1])
			if len(got) != len(want) {
				t.Fatalf("trial %d %v/%v: %d chunks, want %d", trial, wo[0], wo[1], len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.Index != w.Index || g.Start != w.Start || g.Stop != w.Stop || !slices.Equal(chunkFrames(g), chunkFrames(w)) {
					t.Fatalf("trial %d %v/%v: chunk %d [%v,%v] %v, want chunk %d [%v,%v] %v", trial, wo[0], wo[1],
						g.Index, g.Start, g.Stop, chunkFrames(g), w.Index, w.Start, w.Stop, chunkFrames(w))
				}
			}
		}
	}
}

// BenchmarkChunkTwoPacketsFarApart cuts a real two-packet capture whose
// packets are 65 years apart (1973 and 2038) into 30 s windows overlapping
// by 10 s: about 1e8 windows, one of them not empty.
func BenchmarkChunkTwoPacketsFarApart(b *testing.B) {
	pkts := []Packet{{Frame: 1, Time: 117442577131350000}, {Frame: 3, Time: 2145916800000000000}}
	if shared.Root() != "" {
		var err error
		if pkts, err = ReadCapture(shared.Path(b, "data/pcaps/tcpdump/rx_serviceid_oobr.pcap")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if c := ChunkPackets("a", "c", pkts, 30*time.Second, 10*time.Second); len(c) != 1 {
			b.Fatalf("%d chunks", len(c))
		}
	}
}

// BenchmarkChunkPacketsUnsorted is BenchmarkChunkPackets with one packet
// out of time order, which takes the gathering path.
func BenchmarkChunkPacketsUnsorted(b *testing.B) {
	pkts := make([]Packet, 100000)
	for i := range pkts {
		pkts[i].Time = 1_600_000_000_000_000_000 + int64(i)*72_000_000
	}
	pkts[10].Time, pkts[20].Time = pkts[20].Time, pkts[10].Time
	b.ReportAllocs()
	for b.Loop() {
		if c := ChunkPackets("a", "c", pkts, 5*time.Minute, 3*time.Minute); len(c) == 0 {
			b.Fatal("no chunk")
		}
	}
}
