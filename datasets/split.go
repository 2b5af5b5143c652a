package datasets

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
)

// CheckFraction reports whether f is a valid test fraction: 0 <= f <= 1.
func CheckFraction(f float64) error {
	if math.IsNaN(f) || f < 0 || f > 1 {
		return fmt.Errorf("datasets: test fraction %v must be between 0 and 1", f)
	}
	return nil
}

// trainCount is MAppGraph's training share of n items: int(n·(1−f)), the
// float64 product truncated (mappgraph.md §4; 1−0.2 is exactly 0.8 in
// float64, so f = 0.2 gives the reference's int(n·0.8)).
func trainCount(n int, testFraction float64) int {
	return int(float64(n) * (1 - testFraction))
}

// appRand returns the random stream of one app: PCG seeded with the split
// seed and a hash of the app's name, so that an app's split depends only on
// the seed and its own chunks, not on the other apps present.
func appRand(seed uint64, app string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(app))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// groupByApp returns the distinct apps of chunks, sorted, and for each the
// indices of its chunks in input order.
func groupByApp(chunks []Chunk) ([]string, map[string][]int) {
	byApp := make(map[string][]int)
	for i := range chunks {
		byApp[chunks[i].App] = append(byApp[chunks[i].App], i)
	}
	apps := make([]string, 0, len(byApp))
	for a := range byApp {
		apps = append(apps, a)
	}
	sort.Strings(apps)
	return apps, byApp
}

// collect returns the chunks marked (or not marked) in test, in input order.
func collect(chunks []Chunk, test []bool) (train, tst []Chunk) {
	for i := range chunks {
		if test[i] {
			tst = append(tst, chunks[i])
		} else {
			train = append(train, chunks[i])
		}
	}
	return train, tst
}

// SplitRandom is MAppGraph's per-app random split (mappgraph.md §4): for
// each app with n chunks, int(n·(1−testFraction)) chunks drawn uniformly
// without replacement go to training and the rest to testing. The
// reference draws with Python's unseeded random.sample; here each app draws
// from its own PCG stream seeded with seed and a hash of the app name, so
// the same chunks and seed always give the same split, whatever the order
// of apps or the other apps present. Both outputs keep the input order.
// Chunks of one capture may land on both sides (overlapping windows leak,
// as in the reference); SplitByCapture avoids that.
//
// It panics when testFraction fails CheckFraction.
func SplitRandom(chunks []Chunk, testFraction float64, seed uint64) (train, test []Chunk) {
	if err := CheckFraction(testFraction); err != nil {
		panic(err)
	}
	isTest := make([]bool, len(chunks))
	apps, byApp := groupByApp(chunks)
	for _, app := range apps {
		idx := byApp[app]
		nTrain := trainCount(len(idx), testFraction)
		perm := appRand(seed, app).Perm(len(idx))
		for _, j := range perm[nTrain:] {
			isTest[idx[j]] = true
		}
	}
	return collect(chunks, isTest)
}

// SplitByCapture splits chunks so that all chunks of one capture land on the
// same side, which removes the leakage of overlapping windows and of
// session-specific traffic. For each app (each with its own PCG stream, as
// in SplitRandom):
//
//   - its captures are sorted by name and shuffled;
//   - the test target is n − int(n·(1−testFraction)) chunks, the reference's
//     test count for the app's n chunks;
//   - whole captures are moved to the test side in shuffled order while the
//     test side holds fewer chunks than the target (so the last one may
//     overshoot it);
//   - when 0 < testFraction < 1 and the app has two or more captures, each
//     side gets at least one capture: an empty test side takes the first
//     shuffled capture, a full one gives its last capture back;
//   - an app with a single capture goes wholly to training unless
//     testFraction is 1 (it cannot be split without leakage).
//
// testFraction 0 puts everything in training, 1 everything in testing.
// Both outputs keep the input order. It panics when testFraction fails
// CheckFraction.
func SplitByCapture(chunks []Chunk, testFraction float64, seed uint64) (train, test []Chunk) {
	if err := CheckFraction(testFraction); err != nil {
		panic(err)
	}
	return splitCaptures(chunks, func(app string, idx []int) map[string]bool {
		caps, size := appCaptures(chunks, idx)
		appRand(seed, app).Shuffle(len(caps), func(i, j int) { caps[i], caps[j] = caps[j], caps[i] })

		target := len(idx) - trainCount(len(idx), testFraction)
		toTest := make(map[string]bool)
		switch {
		case testFraction == 1:
			for _, c := range caps {
				toTest[c] = true
			}
		case testFraction == 0 || len(caps) < 2:
			// all training
		default:
			n, k := 0, 0
			for k < len(caps) && n < target {
				toTest[caps[k]] = true
				n += size[caps[k]]
				k++
			}
			if k == 0 {
				toTest[caps[0]] = true
			} else if k == len(caps) {
				delete(toTest, caps[k-1])
			}
		}
		return toTest
	})
}

// splitCaptures is the loop of the splits that keep captures whole: for
// each app, testOf gets its chunks idx and returns the captures to test.
func splitCaptures(chunks []Chunk, testOf func(app string, idx []int) map[string]bool) (train, test []Chunk) {
	isTest := make([]bool, len(chunks))
	apps, byApp := groupByApp(chunks)
	for _, app := range apps {
		idx := byApp[app]
		toTest := testOf(app, idx)
		for _, i := range idx {
			isTest[i] = toTest[chunks[i].Capture]
		}
	}
	return collect(chunks, isTest)
}

// appCaptures returns the captures of the chunks idx (one app's), sorted by
// name, and the number of chunks of each.
func appCaptures(chunks []Chunk, idx []int) ([]string, map[string]int) {
	size := make(map[string]int)
	var caps []string
	for _, i := range idx {
		c := chunks[i].Capture
		if size[c] == 0 {
			caps = append(caps, c)
		}
		size[c]++
	}
	sort.Strings(caps)
	return caps, size
}

// SplitKFold is fold fold (0-based) of a stratified, grouped k-fold
// cross-validation: for each app (with its own PCG stream, as in
// SplitRandom), its captures are sorted by name, shuffled, and dealt to
// the folds in turn (capture k to fold k mod folds), so that every capture
// is in exactly one fold, each app is spread evenly over the folds and all
// chunks of a capture stay on one side. The test side is the chunks of the
// captures in fold fold, the training side all others. An app with fewer
// captures than folds has no test capture in some folds and is then wholly
// training. Both outputs keep the input order.
//
// It panics unless 0 <= fold < folds.
func SplitKFold(chunks []Chunk, folds, fold int, seed uint64) (train, test []Chunk) {
	if fold < 0 || fold >= folds {
		panic(fmt.Sprintf("datasets: fold %d of %d", fold, folds))
	}
	return splitCaptures(chunks, func(app string, idx []int) map[string]bool {
		caps, _ := appCaptures(chunks, idx)
		appRand(seed, app).Shuffle(len(caps), func(i, j int) { caps[i], caps[j] = caps[j], caps[i] })
		toTest := make(map[string]bool)
		for k, c := range caps {
			toTest[c] = k%folds == fold
		}
		return toTest
	})
}

// SplitHeldOut puts the chunks whose capture held reports true on the test
// side and all others on the training side, keeping the input order: one
// split of a leave-one-group-out protocol when held tells the captures of
// one group.
func SplitHeldOut(chunks []Chunk, held func(capture string) bool) (train, test []Chunk) {
	isTest := make([]bool, len(chunks))
	for i := range chunks {
		isTest[i] = held(chunks[i].Capture)
	}
	return collect(chunks, isTest)
}

// SplitByTime is a time-ordered split: for each app, its captures are
// ordered by their first chunk's start time (ties by name), and the latest
// n − int(n·(1−testFraction)) of its n captures are tested, the earlier
// ones trained on. When 0 < testFraction < 1 and the app has two or more
// captures, each side gets at least one capture; an app with a single
// capture goes wholly to training unless testFraction is 1. Both outputs
// keep the input order. It panics when testFraction fails CheckFraction.
func SplitByTime(chunks []Chunk, testFraction float64) (train, test []Chunk) {
	if err := CheckFraction(testFraction); err != nil {
		panic(err)
	}
	return splitCaptures(chunks, func(_ string, idx []int) map[string]bool {
		caps, _ := appCaptures(chunks, idx)
		first := make(map[string]float64)
		for _, i := range idx {
			c := chunks[i]
			if t, ok := first[c.Capture]; !ok || c.Start < t {
				first[c.Capture] = c.Start
			}
		}
		sort.SliceStable(caps, func(i, j int) bool { return first[caps[i]] < first[caps[j]] })
		n := len(caps)
		nTest := n - trainCount(n, testFraction)
		switch {
		case testFraction == 1:
			nTest = n
		case testFraction == 0 || n < 2:
			nTest = 0
		default:
			nTest = max(1, min(nTest, n-1))
		}
		toTest := make(map[string]bool)
		for _, c := range caps[n-nTest:] {
			toTest[c] = true
		}
		return toTest
	})
}

// SubsampleByApp keeps a share fraction (0 < fraction <= 1) of each app's
// chunks: the first ceil(n·fraction) of a permutation of its n chunks drawn
// from its own PCG stream (seeded with seed and a hash of the app name, in
// a stream apart from the splits'), so that a smaller fraction keeps a
// subset of the chunks a larger one keeps. Every app keeps at least one
// chunk. The output keeps the input order. It panics when fraction is not
// in (0, 1].
func SubsampleByApp(chunks []Chunk, fraction float64, seed uint64) []Chunk {
	if !(fraction > 0 && fraction <= 1) {
		panic(fmt.Sprintf("datasets: subsample fraction %v not in (0, 1]", fraction))
	}
	keep := make([]bool, len(chunks))
	apps, byApp := groupByApp(chunks)
	for _, app := range apps {
		idx := byApp[app]
		n := max(1, int(math.Ceil(float64(len(idx))*fraction)))
		perm := appRand(seed^0x73756273616d706c, app).Perm(len(idx)) // "subsampl"
		for _, j := range perm[:n] {
			keep[idx[j]] = true
		}
	}
	_, out := collect(chunks, keep)
	return out
}
