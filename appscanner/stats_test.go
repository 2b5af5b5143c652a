package appscanner

import (
	"math"
	"testing"
)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestStatsHandComputed(t *testing.T) {
	nan := math.NaN()
	// skew of {1, 2, 4}: m = 7/3, S2 = 14/3, S3 = 20/9,
	// G1 = 3·sqrt(2)/1 · S3 / S2^1.5
	skew124 := 3 * math.Sqrt(2) * (20.0 / 9) / math.Pow(14.0/3, 1.5)
	// {1, 2, 3, 10}: m = 4, deviations -3 -2 -1 6: S2 = 50, S3 = 180,
	// S4 = 1394; G1 = 4·sqrt(3)/2 · 180/50^1.5;
	// G2 = 4·5·3·1394/(2·1·50²) − 3·3²/(2·1) = 16.728 − 13.5
	skew4 := 4 * math.Sqrt(3) / 2 * 180 / math.Pow(50, 1.5)
	for _, tc := range []struct {
		name string
		x    []float64
		want [StatsLen]float64
	}{
		{"empty", nil, [StatsLen]float64{nan, nan, nan, nan, nan, nan, nan, nan, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"one", []float64{5}, [StatsLen]float64{5, 5, 5, 0, nan, nan, nan, nan, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1}},
		// p10: position 0.1 → 1 + 2·0.1; p90: position 0.9 → 3 − 2·0.1
		{"two", []float64{3, 1}, [StatsLen]float64{1, 3, 2, 1, math.Sqrt2, 2, nan, nan,
			1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6, 2.8, 2}},
		// sorted {1, 2, 4}: positions 0.2q: p10 = 1.2, p50 = 2, p70 = 2 + 2·0.4
		{"three", []float64{4, 1, 2}, [StatsLen]float64{1, 4, 7.0 / 3, 10.0 / 9, math.Sqrt(7.0 / 3), 7.0 / 3, skew124, nan,
			1.2, 1.4, 1.6, 1.8, 2, 2.4, 2.8, 3.2, 3.6, 3}},
		// positions 0.3q over {1, 2, 3, 10}: p10 = 1.3, p50 = 2.5, p90 = 3 + 7·0.7
		{"four", []float64{1, 2, 3, 10}, [StatsLen]float64{1, 10, 4, 3, math.Sqrt(50.0 / 3), 50.0 / 3, skew4, 16.728 - 13.5,
			1.3, 1.6, 1.9, 2.2, 2.5, 2.8, 3 + 7*0.1, 3 + 7*0.4, 3 + 7*0.7, 4}},
		// constant: variance 0, skew and kurtosis defined as 0
		{"constant", []float64{-7, -7, -7, -7}, [StatsLen]float64{-7, -7, -7, 0, 0, 0, 0, 0, -7, -7, -7, -7, -7, -7, -7, -7, -7, 4}},
	} {
		var got [StatsLen]float64
		Stats(tc.x, got[:], make([]float64, 3*len(tc.x)))
		for i := range got {
			if !near(got[i], tc.want[i]) {
				t.Errorf("%s: stat %d = %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

func TestFlowFeaturesSplitsDirections(t *testing.T) {
	// incoming {-1500, -1500} (kept negative), outgoing {100, 60},
	// combined all four.
	got := FlowFeatures([]float64{100, -1500, -1500, 60}, nil)
	if len(got) != NumFeatures {
		t.Fatalf("%d features", len(got))
	}
	in := got[:StatsLen]
	out := got[StatsLen : 2*StatsLen]
	all := got[2*StatsLen:]
	wantIn := []float64{-1500, -1500, -1500, 0, 0, 0, 0, 0, -1500, -1500, -1500, -1500, -1500, -1500, -1500, -1500, -1500, 2}
	for i := range wantIn {
		if !near(in[i], wantIn[i]) {
			t.Errorf("incoming stat %d = %v, want %v (NaN skew/kurtosis become 0)", i, in[i], wantIn[i])
		}
	}
	wantOut := []float64{60, 100, 80, 20, math.Sqrt(800), 800, 0, 0, 64, 68, 72, 76, 80, 84, 88, 92, 96, 2}
	for i := range wantOut {
		if !near(out[i], wantOut[i]) {
			t.Errorf("outgoing stat %d = %v, want %v", i, out[i], wantOut[i])
		}
	}
	// combined: mean (100 − 3000 + 60)/4 = −710, min −1500 before max 100
	if all[StatMin] != -1500 || all[StatMax] != 100 || all[StatMean] != -710 || all[StatCount] != 4 {
		t.Errorf("combined min/max/mean/count = %v %v %v %v", all[StatMin], all[StatMax], all[StatMean], all[StatCount])
	}
	// incoming skew is of the negative values: {-100, -100, -1000} has
	// positive-size skew > 0, so the stored skew is < 0.
	g := FlowFeatures([]float64{-100, -100, -1000}, nil)
	if !(g[StatSkew] < 0) {
		t.Errorf("skew of negative incoming sizes = %v, want < 0", g[StatSkew])
	}
}

func TestPairwiseSumMatchesNumPyBlocks(t *testing.T) {
	// 1e16 + 1 + 1 ... is order-sensitive: NumPy's 8-way unrolled blocks
	// add x[0], x[8], x[16] ... into one partial sum, so with the large
	// value first the ones in its lane are lost one at a time while the
	// other lanes sum them exactly.
	x := make([]float64, 16)
	x[0] = 1e16
	for i := 1; i < 16; i++ {
		x[i] = 1
	}
	// lanes: r0 = 1e16 + 1 (rounds to 1e16), r1..r7 = 2 each → 14;
	// ((r0+r1)+(r2+r3)) + ((r4+r5)+(r6+r7)) = (1e16+2+4) + 8 = 1e16+14
	if got := pairwiseSum(x); got != 1e16+14 {
		t.Errorf("pairwiseSum = %v, want %v", got, 1e16+14)
	}
	// below 8 values: plain left-to-right
	if got := pairwiseSum([]float64{1e16, 1, 1}); got != 1e16 {
		t.Errorf("short pairwiseSum = %v, want 1e16", got)
	}
}

func TestPercentileNumPyInterpolation(t *testing.T) {
	s := []float64{0, 10}
	for q, want := range map[int]float64{0: 0, 10: 1, 50: 5, 90: 9, 100: 10} {
		if got := Percentile(s, q); !near(got, want) {
			t.Errorf("p%d = %v, want %v", q, got, want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Error("percentile of an empty series must be 0")
	}
}

func TestEstimatorsWithoutScratch(t *testing.T) {
	x := []float64{1, 2, 3, 10}
	if got := MAD(x, nil); !near(got, 3) {
		t.Errorf("MAD = %v, want 3", got)
	}
	if got := Skew(x, nil); !near(got, 4*math.Sqrt(3)/2*180/math.Pow(50, 1.5)) {
		t.Errorf("Skew = %v", got)
	}
	if got := Kurtosis(x, nil); !near(got, 16.728-13.5) {
		t.Errorf("Kurtosis = %v, want 3.228", got)
	}
	if got := Var(x); !near(got, 50.0/3) {
		t.Errorf("Var = %v, want 50/3", got)
	}
	var dst [StatsLen]float64
	Stats(x, dst[:], nil)
	if dst[StatCount] != 4 || dst[StatMax] != 10 {
		t.Errorf("Stats = %v", dst)
	}
}
