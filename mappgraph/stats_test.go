package mappgraph

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// Expected values computed with exact rational arithmetic and the textbook
// forms of the estimators (G1 = sqrt(n(n-1))/(n-2)·m3/m2^1.5, G2 =
// (n-1)/((n-2)(n-3))·((n+1)(m4/m2²-3)+6), percentiles by linear
// interpolation), independently of the code under test.
var estimatorCases = []struct {
	x                       []float64
	mean, mad, variance, sd float64
	skew, kurt              float64
	pct                     [9]float64
}{
	{[]float64{5}, 5, 0, nan, nan, nan, nan, [9]float64{5, 5, 5, 5, 5, 5, 5, 5, 5}},
	{[]float64{1, 3}, 2, 1, 2, 1.4142135623730951, nan, nan, [9]float64{1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8}},
	{[]float64{1, 2, 4}, 2.3333333333333335, 1.1111111111111112, 2.3333333333333335, 1.5275252316519468,
		0.9352195295828243, nan, [9]float64{1.2, 1.4, 1.6, 1.8, 2.0, 2.4, 2.8, 3.2, 3.6}},
	{[]float64{3, 3, 3}, 3, 0, 0, 0, 0, nan, [9]float64{3, 3, 3, 3, 3, 3, 3, 3, 3}},
	{[]float64{40, 1500, 40}, 526.6666666666666, 648.8888888888889, 710533.3333333334, 842.9313930168537,
		1.7320508075688772, nan, [9]float64{40, 40, 40, 40, 40, 332, 624, 916, 1208}},
	{[]float64{1, 2, 4, 8}, 3.75, 2.25, 9.583333333333334, 3.095695936834452,
		1.1376243669576889, 0.7576559546313799, [9]float64{1.3, 1.6, 1.9, 2.4, 3.0, 3.6, 4.4, 5.6, 6.8}},
	{[]float64{7, 7, 7, 7}, 7, 0, 0, 0, 0, 0, [9]float64{7, 7, 7, 7, 7, 7, 7, 7, 7}},
	{[]float64{40, 1500, 40, 41}, 405.25, 547.375, 532656.9166666666, 729.8334855750774,
		1.9999974972067496, 3.999991652276405, [9]float64{40, 40, 40, 40.2, 40.5, 40.8, 186.9, 624.6, 1062.3}},
}

var nan = math.NaN()

func near(got, want, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= rel*math.Abs(want) || math.Abs(got-want) <= 1e-13
}

func TestEstimators(t *testing.T) {
	for _, c := range estimatorCases {
		x := slices.Clone(c.x)
		scratch := make([]float64, 3*len(x))
		check := func(name string, got, want float64) {
			t.Helper()
			if !near(got, want, 1e-13) {
				t.Errorf("%v: %s = %v, want %v", c.x, name, got, want)
			}
		}
		check("mean", seriesMean(x), c.mean)
		check("mad", seriesMAD(x, scratch), c.mad)
		check("var", seriesVar(x), c.variance)
		check("skew", seriesSkew(x, scratch), c.skew)
		check("kurt", seriesKurt(x, scratch), c.kurt)

		var out [NumPacketStats]float64
		packetStats(x, scratch, make([]uint16, 2*len(x)), out[:])
		want := [NumPacketStats]float64{slices.Max(c.x), slices.Min(c.x), c.mean, c.mad, c.sd, c.variance,
			c.skew, c.kurt, float64(len(c.x))}
		copy(want[9:], c.pct[:])
		for i := range out {
			check(featureNames[i], out[i], want[i])
		}
	}
}

// TestPairwiseSum checks NumPy's blocking against exact sums of values
// whose every partial sum is exact, and its order dependence on a case
// where plain summation loses a digit differently.
func TestPairwiseSum(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 127, 128, 129, 1000, 4097} {
		x := make([]float64, n)
		want := 0.0
		for i := range x {
			x[i] = float64(i%13) * 0.5
			want += x[i]
		}
		if got := pairwiseSum(x); got != want {
			t.Errorf("n=%d: %v, want %v", n, got, want)
		}
	}
	// 1 + 8 ones·1e-16: sequential summation stays at 1, NumPy's eight
	// accumulators add 1e-16 to the seven that start at 1e-16 first.
	x := []float64{1, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16, 1e-16}
	one, e := 1.0, 1e-16 // variables: constant expressions would be exact
	r0, r := one+e, e+e  // the eight accumulators after two rows
	want := ((r0 + r) + (r + r)) + ((r + r) + (r + r))
	if seq := pairwiseSum(x[:7]) + pairwiseSum(x[7:]); seq == want {
		t.Fatalf("test case does not separate the orders")
	}
	if got := pairwiseSum(x); got != want {
		t.Errorf("blocked sum %v, want %v", got, want)
	}
}

// TestFloorDivide compares NumPy's floor division with the exact floor of
// the rational quotient.
func TestFloorDivide(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	exact := func(a, b float64) float64 {
		q := new(big.Rat).Quo(new(big.Rat).SetFloat64(a), new(big.Rat).SetFloat64(b))
		z := new(big.Int).Quo(q.Num(), q.Denom()) // truncates toward zero
		if q.Sign() < 0 && !q.IsInt() {
			z.Sub(z, big.NewInt(1))
		}
		f, _ := new(big.Float).SetInt(z).Float64()
		return f
	}
	for _, c := range [][2]float64{{0, 10}, {9.999999999999998, 10}, {10, 10}, {-0.5, 10}, {25, 10}, {299.99999999999994, 10}, {30, 0.1}} {
		if got, want := floorDivide(c[0], c[1]), exact(c[0], c[1]); got != want {
			t.Errorf("floorDivide(%v, %v) = %v, want %v", c[0], c[1], got, want)
		}
	}
	for i := 0; i < 20000; i++ {
		a := r.Float64() * 600
		if i%2 == 0 { // values just below multiples of the slice width
			a = math.Nextafter(float64(r.IntN(60)*10), 0)
		}
		if got, want := floorDivide(a, 10), exact(a, 10); got != want {
			t.Fatalf("floorDivide(%v, 10) = %v, want %v", a, got, want)
		}
	}
}

func TestEpochSeconds(t *testing.T) {
	for _, c := range []struct {
		ns   int64
		text string
	}{
		{1600896590034787000, "1600896590.034787"}, {1516186786703072000, "1516186786.703072"},
		{1600896590000000000, "1600896590"}, {1, "0.000000001"}, {-1500000000, "-1.5"},
		{1234567890123456789, "1234567890.123456789"},
	} {
		want := mustParse(t, c.text)
		if got := epochSeconds(c.ns); got != want {
			t.Errorf("epochSeconds(%d) = %v, want %v", c.ns, got, want)
		}
	}
}

// TestNpArgsort checks the NumPy quicksort emulation: a permutation that
// sorts, stable up to 16 elements (insertion sort), and the descending
// wrapper keeping ties in their original order there.
func TestNpArgsort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 5, 16, 17, 50, 300, 5000} {
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(r.IntN(7))
		}
		idx := npArgsort(v, nil)
		seen := make([]bool, n)
		for k, i := range idx {
			if seen[i] {
				t.Fatalf("n=%d: index %d twice", n, i)
			}
			seen[i] = true
			if k > 0 && v[idx[k-1]] > v[i] {
				t.Fatalf("n=%d: not sorted at %d", n, k)
			}
			if n <= 16 && k > 0 && v[idx[k-1]] == v[i] && idx[k-1] > i {
				t.Fatalf("n=%d: not stable at %d", n, k)
			}
		}
		d := npArgsortDesc(v, nil)
		for k := 1; k < n; k++ {
			if v[d[k-1]] < v[d[k]] {
				t.Fatalf("n=%d: descending order broken at %d", n, k)
			}
			if n <= 16 && v[d[k-1]] == v[d[k]] && d[k-1] > d[k] {
				t.Fatalf("n=%d: descending ties not in original order at %d", n, k)
			}
		}
	}
	// Heapsort fallback sorts too.
	v := []int64{5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4}
	a := make([]int, len(v))
	for i := range a {
		a[i] = i
	}
	npAHeapsort(v, a)
	for k := 1; k < len(a); k++ {
		if v[a[k-1]] > v[a[k]] {
			t.Fatalf("heapsort not sorted at %d: %v", k, a)
		}
	}
}

// TestEpochSecondsFastPath compares the fast conversion with parsing the
// decimal text on random capture-like timestamps and on ones with few
// significant digits.
func TestEpochSecondsFastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200000; i++ {
		ns := int64(1_400_000_000_000_000_000) + r.Int64N(400_000_000_000_000_000)
		switch i % 4 {
		case 1:
			ns -= ns % 1000 // microseconds, as tshark CSVs
		case 2:
			ns = r.Int64N(1e12) // small values
		}
		if got, want := epochSeconds(ns), parseSeconds(ns); got != want {
			t.Fatalf("epochSeconds(%d) = %v, parsed %v", ns, got, want)
		}
	}
}

// TestPow15 compares pow15 with x^1.5 computed with 200-bit floats and
// rounded once.
func TestPow15(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for i := 0; i < 20000; i++ {
		x := math.Ldexp(1+r.Float64(), r.IntN(80)-20)
		bx := new(big.Float).SetPrec(200).SetFloat64(x)
		want, _ := new(big.Float).SetPrec(200).Mul(bx, new(big.Float).SetPrec(200).Sqrt(bx)).Float64()
		if got := pow15(x); got != want {
			t.Fatalf("pow15(%v) = %v, want %v", x, got, want)
		}
	}
}

// TestNpArgsortTimes checks the shortcuts against NumPy's algorithm: one
// run, two runs, shuffled distinct values and values with ties.
func TestNpArgsortTimes(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(300)
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(r.IntN(1000000))
		}
		switch trial % 4 {
		case 0:
			slices.Sort(v)
		case 1:
			m := r.IntN(n)
			slices.Sort(v[:m])
			slices.Sort(v[m:])
		case 2:
			for i := range v {
				v[i] = float64(r.IntN(20)) // many ties
			}
			m := r.IntN(n)
			slices.Sort(v[:m])
			slices.Sort(v[m:])
		}
		want := npArgsort(v, nil)
		got := npArgsortTimes(v, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d (n=%d): shortcut order differs from NumPy's", trial, n)
		}
	}
}

// TestSortLengths checks both sorting paths against slices.Sort.
func TestSortLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	for _, n := range []int{0, 1, 5, 63, 64, 65, 1000, 30000} {
		for _, big := range []bool{false, true} {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(r.IntN(65536))
				if big && i == n/2 {
					x[i] = 70000.5 // not a 16-bit integer: fallback path
				}
			}
			want := slices.Clone(x)
			slices.Sort(want)
			sortLengths(x, make([]uint16, 2*n))
			if !slices.Equal(x, want) {
				t.Fatalf("n=%d big=%v: not sorted", n, big)
			}
		}
	}
}
