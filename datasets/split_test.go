package datasets

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

// makeChunks builds chunks for apps given as capture sizes: app -> number
// of chunks of each of its captures. Chunks are interleaved across apps.
func makeChunks(apps map[string][]int, order []string) []Chunk {
	var out []Chunk
	for _, app := range order {
		for c, n := range apps[app] {
			for i := 1; i <= n; i++ {
				out = append(out, Chunk{App: app, Capture: fmt.Sprintf("%s/cap%d", app, c), Index: i})
			}
		}
	}
	return out
}

func chunksPerApp(chunks []Chunk) map[string]int {
	m := map[string]int{}
	for _, c := range chunks {
		m[c.App]++
	}
	return m
}

func chunkKey(c Chunk) string { return fmt.Sprintf("%s|%s|%d", c.App, c.Capture, c.Index) }

func chunkKeys(cs []Chunk) []string {
	var k []string
	for _, c := range cs {
		k = append(k, chunkKey(c))
	}
	return k
}

func TestSplitRandomCounts(t *testing.T) {
	apps := map[string][]int{"a": {10}, "b": {3, 4}, "c": {1}, "d": {5}}
	chunks := makeChunks(apps, []string{"a", "b", "c", "d"})
	train, test := SplitRandom(chunks, 0.2, 42)
	// int(n*0.8): a 10 -> 8, b 7 -> int(5.6) = 5, c 1 -> int(0.8) = 0, d 5 -> 4.
	wantTrain := map[string]int{"a": 8, "b": 5, "d": 4}
	wantTest := map[string]int{"a": 2, "b": 2, "c": 1, "d": 1}
	if got := chunksPerApp(train); !reflect.DeepEqual(got, wantTrain) {
		t.Errorf("train counts %v, want %v", got, wantTrain)
	}
	if got := chunksPerApp(test); !reflect.DeepEqual(got, wantTest) {
		t.Errorf("test counts %v, want %v", got, wantTest)
	}
	// A partition of the input, each side in input order.
	seen := map[string]bool{}
	for _, side := range [][]Chunk{train, test} {
		pos := -1
		for _, c := range side {
			k := chunkKey(c)
			if seen[k] {
				t.Fatalf("chunk %s on both sides", k)
			}
			seen[k] = true
			i := chunkIndexOf(chunks, k)
			if i <= pos {
				t.Fatalf("output not in input order at %s", k)
			}
			pos = i
		}
	}
	if len(seen) != len(chunks) {
		t.Fatalf("%d chunks in the split, want %d", len(seen), len(chunks))
	}
	// The extremes.
	if tr, te := SplitRandom(chunks, 0, 1); len(tr) != len(chunks) || len(te) != 0 {
		t.Errorf("fraction 0: %d/%d", len(tr), len(te))
	}
	if tr, te := SplitRandom(chunks, 1, 1); len(tr) != 0 || len(te) != len(chunks) {
		t.Errorf("fraction 1: %d/%d", len(tr), len(te))
	}
}

func chunkIndexOf(chunks []Chunk, k string) int {
	for i, c := range chunks {
		if chunkKey(c) == k {
			return i
		}
	}
	return -1
}

func TestSplitRandomDeterministic(t *testing.T) {
	apps := map[string][]int{"a": {6, 6}, "b": {9}, "c": {2, 2, 2}}
	chunks := makeChunks(apps, []string{"a", "b", "c"})
	tr1, te1 := SplitRandom(chunks, 0.3, 7)
	tr2, te2 := SplitRandom(chunks, 0.3, 7)
	if !reflect.DeepEqual(chunkKeys(tr1), chunkKeys(tr2)) || !reflect.DeepEqual(chunkKeys(te1), chunkKeys(te2)) {
		t.Fatal("same input and seed gave different splits")
	}
	// Another order of the apps (same order within each app) gives the
	// same sets; removing an app leaves the others' splits unchanged.
	other := makeChunks(apps, []string{"c", "b", "a"})
	tr3, te3 := SplitRandom(other, 0.3, 7)
	if !sameStringSet(chunkKeys(tr1), chunkKeys(tr3)) || !sameStringSet(chunkKeys(te1), chunkKeys(te3)) {
		t.Error("the order of apps changed the split")
	}
	delete(apps, "b")
	tr4, _ := SplitRandom(makeChunks(apps, []string{"a", "c"}), 0.3, 7)
	var trNoB []string
	for _, k := range chunkKeys(tr1) {
		if k[0] != 'b' {
			trNoB = append(trNoB, k)
		}
	}
	if !sameStringSet(trNoB, chunkKeys(tr4)) {
		t.Error("removing an app changed the other apps' split")
	}
	differ := false
	for seed := uint64(8); seed < 20 && !differ; seed++ {
		tr, _ := SplitRandom(chunks, 0.3, seed)
		differ = !reflect.DeepEqual(chunkKeys(tr), chunkKeys(tr1))
	}
	if !differ {
		t.Error("12 other seeds all gave the split of seed 7")
	}
}

func sameStringSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

// TestSplitRandomUniform: over many seeds every chunk lands in the test set
// about testFraction of the time.
func TestSplitRandomUniform(t *testing.T) {
	chunks := makeChunks(map[string][]int{"a": {10}}, []string{"a"})
	counts := make(map[string]int)
	const runs = 4000
	for seed := range uint64(runs) {
		_, te := SplitRandom(chunks, 0.2, seed)
		for _, c := range te {
			counts[chunkKey(c)]++
		}
	}
	for _, c := range chunks {
		f := float64(counts[chunkKey(c)]) / runs
		if f < 0.17 || f > 0.23 { // 0.2 ± 4.7 standard deviations
			t.Errorf("chunk %s in test %.3f of the time, want about 0.2", chunkKey(c), f)
		}
	}
}

func TestSplitByCapture(t *testing.T) {
	apps := map[string][]int{
		"many":   {3, 5, 2, 4, 6, 1, 3, 2, 4, 5}, // 35 chunks: test target 35 - int(35·0.8) = 7
		"two":    {10, 1},
		"single": {8},
		"tiny":   {1, 1},
	}
	order := []string{"many", "two", "single", "tiny"}
	chunks := makeChunks(apps, order)
	for seed := range uint64(200) {
		train, test := SplitByCapture(chunks, 0.2, seed)
		if len(train)+len(test) != len(chunks) {
			t.Fatalf("seed %d: %d+%d chunks, want %d", seed, len(train), len(test), len(chunks))
		}
		side := map[string]string{}
		capsOn := map[string]map[string]bool{"train": {}, "test": {}}
		for name, cs := range map[string][]Chunk{"train": train, "test": test} {
			for _, c := range cs {
				if s, ok := side[c.Capture]; ok && s != name {
					t.Fatalf("seed %d: capture %s on both sides", seed, c.Capture)
				}
				side[c.Capture] = name
				capsOn[name][c.App] = true
			}
		}
		for _, app := range []string{"many", "two", "tiny"} {
			if !capsOn["train"][app] || !capsOn["test"][app] {
				t.Fatalf("seed %d: app %s with several captures not on both sides", seed, app)
			}
		}
		if capsOn["test"]["single"] {
			t.Fatalf("seed %d: the only capture of an app went to testing", seed)
		}
		// Test share of "many": captures are added while fewer than 7 test
		// chunks, so it ends between 7 and 7+5 (largest capture 6, minus 1).
		n := chunksPerApp(test)["many"]
		if n < 7 || n > 12 {
			t.Fatalf("seed %d: %d test chunks for app many, want 7..12", seed, n)
		}
	}
	// Deterministic, and independent of the order of the input's apps.
	tr1, te1 := SplitByCapture(chunks, 0.2, 3)
	tr2, te2 := SplitByCapture(makeChunks(apps, []string{"tiny", "single", "two", "many"}), 0.2, 3)
	if !sameStringSet(chunkKeys(tr1), chunkKeys(tr2)) || !sameStringSet(chunkKeys(te1), chunkKeys(te2)) {
		t.Error("same chunks and seed gave different splits")
	}
	// Extremes.
	if tr, te := SplitByCapture(chunks, 0, 3); len(tr) != len(chunks) || len(te) != 0 {
		t.Errorf("fraction 0: %d/%d", len(tr), len(te))
	}
	if tr, te := SplitByCapture(chunks, 1, 3); len(tr) != 0 || len(te) != len(chunks) {
		t.Errorf("fraction 1: %d/%d", len(tr), len(te))
	}
	// A large fraction still leaves one capture for training.
	_, te := SplitByCapture(chunks, 0.95, 3)
	if n := chunksPerApp(te)["tiny"]; n != 1 {
		t.Errorf("fraction 0.95: app tiny has %d test chunks, want 1", n)
	}
}

// TestSplitByCaptureShuffles: which capture goes to testing varies with the
// seed, each about equally often.
func TestSplitByCaptureShuffles(t *testing.T) {
	chunks := makeChunks(map[string][]int{"a": {2, 2, 2, 2, 2}}, []string{"a"})
	counts := map[string]int{}
	for seed := range uint64(1000) {
		_, te := SplitByCapture(chunks, 0.2, seed)
		if len(te) != 2 || te[0].Capture != te[1].Capture {
			t.Fatalf("seed %d: test set %v, want one whole capture", seed, chunkKeys(te))
		}
		counts[te[0].Capture]++
	}
	for c, n := range counts {
		if n < 140 || n > 260 {
			t.Errorf("capture %s chosen %d times of 1000, want about 200", c, n)
		}
	}
	if len(counts) != 5 {
		t.Errorf("only %d of 5 captures ever chosen", len(counts))
	}
}

func TestCheckFraction(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		f  float64
		ok bool
	}{{0, true}, {0.2, true}, {1, true}, {-0.1, false}, {1.01, false}, {nan, false}} {
		if err := CheckFraction(c.f); (err == nil) != c.ok {
			t.Errorf("CheckFraction(%v) = %v", c.f, err)
		}
	}
}
