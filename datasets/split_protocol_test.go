package datasets

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

// captureSides maps each capture of train and test to the side it is on,
// failing when a capture is on both.
func captureSides(t *testing.T, train, test []Chunk) map[string]string {
	t.Helper()
	side := make(map[string]string)
	for name, cs := range map[string][]Chunk{"train": train, "test": test} {
		for _, c := range cs {
			if s, ok := side[c.Capture]; ok && s != name {
				t.Fatalf("capture %s is on both sides", c.Capture)
			}
			side[c.Capture] = name
		}
	}
	return side
}

func TestSplitKFoldPartitionsCaptures(t *testing.T) {
	apps := map[string][]int{"a": {3, 1, 2, 5, 4, 2, 1}, "b": {2, 2, 2, 2, 2}, "c": {1, 1}, "d": {6, 3, 2, 2, 2, 1, 1, 4, 2, 3}}
	chunks := makeChunks(apps, []string{"a", "b", "c", "d"})
	const folds = 5
	for _, seed := range []uint64{1, 7, 99} {
		tested := make(map[string]int)
		for fold := 0; fold < folds; fold++ {
			train, test := SplitKFold(chunks, folds, fold, seed)
			if len(train)+len(test) != len(chunks) {
				t.Fatalf("fold %d: %d+%d chunks of %d", fold, len(train), len(test), len(chunks))
			}
			perApp := make(map[string]int)
			for c, s := range captureSides(t, train, test) {
				if s == "test" {
					tested[c]++
					perApp[c[:1]]++
				}
			}
			// Stratified: each app has floor or ceil of captures/folds in
			// each fold.
			for app, sizes := range apps {
				lo, hi := len(sizes)/folds, (len(sizes)+folds-1)/folds
				if n := perApp[app]; n < lo || n > hi {
					t.Errorf("seed %d fold %d: app %s has %d test captures, want %d..%d", seed, fold, app, n, lo, hi)
				}
			}
		}
		for app, sizes := range apps {
			for k := range sizes {
				if c := fmt.Sprintf("%s/cap%d", app, k); tested[c] != 1 {
					t.Errorf("seed %d: capture %s tested in %d folds, want exactly 1", seed, c, tested[c])
				}
			}
		}
	}
	a, _ := SplitKFold(chunks, folds, 2, 3)
	b, _ := SplitKFold(chunks, folds, 2, 3)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different folds")
	}
}

func TestSplitKFoldAppIndependent(t *testing.T) {
	all := makeChunks(map[string][]int{"a": {1, 2, 3, 4, 5, 6}, "b": {1, 1, 1}}, []string{"a", "b"})
	only := makeChunks(map[string][]int{"a": {1, 2, 3, 4, 5, 6}}, []string{"a"})
	_, t1 := SplitKFold(all, 3, 1, 5)
	_, t2 := SplitKFold(only, 3, 1, 5)
	var a1 []Chunk
	for _, c := range t1 {
		if c.App == "a" {
			a1 = append(a1, c)
		}
	}
	if !reflect.DeepEqual(a1, t2) {
		t.Error("an app's folds depend on the other apps present")
	}
}

func TestSplitHeldOut(t *testing.T) {
	chunks := makeChunks(map[string][]int{"a": {2, 1, 3}, "b": {1, 2}}, []string{"a", "b"})
	train, test := SplitHeldOut(chunks, func(c string) bool { return c == "a/cap1" || c == "b/cap1" })
	if got := chunkKeys(test); !reflect.DeepEqual(got, []string{"a|a/cap1|1", "b|b/cap1|1", "b|b/cap1|2"}) {
		t.Errorf("test %v", got)
	}
	if len(train) != 6 {
		t.Errorf("%d training chunks, want 6", len(train))
	}
}

func TestSplitByTimeLatestTested(t *testing.T) {
	// Captures of app a start at 50, 10, 40, 20, 30 (cap0..cap4); b has
	// two; c one.
	starts := map[string]float64{"a/cap0": 50, "a/cap1": 10, "a/cap2": 40, "a/cap3": 20, "a/cap4": 30, "b/cap0": 5, "b/cap1": 1, "c/cap0": 3}
	chunks := makeChunks(map[string][]int{"a": {2, 2, 2, 2, 2}, "b": {1, 1}, "c": {3}}, []string{"a", "b", "c"})
	for i := range chunks {
		chunks[i].Start = starts[chunks[i].Capture] + float64(chunks[i].Index)
	}
	train, test := SplitByTime(chunks, 0.4)
	side := captureSides(t, train, test)
	want := map[string]string{"a/cap0": "test", "a/cap2": "test", "a/cap1": "train", "a/cap3": "train", "a/cap4": "train",
		"b/cap0": "test", "b/cap1": "train", "c/cap0": "train"}
	if !reflect.DeepEqual(side, want) {
		t.Errorf("sides %v, want %v", side, want)
	}
	for _, tr := range train {
		for _, te := range test {
			if tr.App == te.App && starts[tr.Capture] > starts[te.Capture] {
				t.Errorf("training capture %s starts after test capture %s", tr.Capture, te.Capture)
			}
		}
	}
}

func TestSubsampleByAppNested(t *testing.T) {
	chunks := makeChunks(map[string][]int{"a": {10, 10}, "b": {3}, "c": {1}}, []string{"a", "b", "c"})
	prev := map[string]bool{}
	for _, f := range []float64{0.1, 0.3, 0.5, 1} {
		got := SubsampleByApp(chunks, f, 4)
		per := chunksPerApp(got)
		want := map[string]int{"a": int(math.Ceil(20 * f)), "b": int(math.Ceil(3 * f)), "c": 1}
		if !reflect.DeepEqual(per, want) {
			t.Errorf("fraction %v: %v, want %v", f, per, want)
		}
		now := map[string]bool{}
		for _, k := range chunkKeys(got) {
			now[k] = true
		}
		for k := range prev {
			if !now[k] {
				t.Errorf("fraction %v drops %s kept by a smaller fraction", f, k)
			}
		}
		prev = now
	}
	if got := SubsampleByApp(chunks, 1, 4); !reflect.DeepEqual(got, chunks) {
		t.Error("fraction 1 changed the chunks")
	}
}
