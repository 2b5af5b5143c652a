package forest

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var regen = flag.Bool("regen", false, "rewrite testdata/synth_{train,test}.csv from the generator")

// synthetic returns rows × cols Gaussian blobs: classes centres drawn from
// N(0, 1) in the first informative columns (the rest are pure noise), and
// each row is its class centre plus N(0, sigma²) noise in every column.
func synthetic(seed uint64, rows, cols, informative, classes int, sigma float64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([]float64, classes*informative)
	for i := range centres {
		centres[i] = rng.NormFloat64()
	}
	X := make([]float64, rows*cols)
	y := make([]int, rows)
	for i := 0; i < rows; i++ {
		c := i % classes
		y[i] = c
		for j := 0; j < cols; j++ {
			v := rng.NormFloat64() * sigma
			if j < informative {
				v += centres[c*informative+j]
			}
			X[i*cols+j] = v
		}
	}
	return X, y
}

// The committed accuracy data set: 4500 rows (3000 to train, 1500 to
// test) × 20 columns (10 informative), 10 classes.
const (
	synthRows, synthTrain, synthCols, synthInformative, synthClasses = 4500, 3000, 20, 10, 10
	synthSigma                                                       = 1.3
)

func writeCSV(path string, X []float64, y []int, cols int) error {
	var sb strings.Builder
	for i, c := range y {
		sb.WriteString(strconv.Itoa(c))
		for _, v := range X[i*cols : (i+1)*cols] {
			sb.WriteByte(',')
			sb.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		sb.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

func readCSV(tb testing.TB, path string) ([]float64, []int, int) {
	tb.Helper()
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	var X []float64
	var y []int
	cols := -1
	sc := bufio.NewScanner(fh)
	line := 0
	for sc.Scan() {
		line++
		parts := strings.Split(sc.Text(), ",")
		if cols < 0 {
			cols = len(parts) - 1
		}
		if len(parts)-1 != cols {
			tb.Fatalf("%s:%d: %d fields, want %d", path, line, len(parts), cols+1)
		}
		c, err := strconv.Atoi(parts[0])
		if err != nil {
			tb.Fatalf("%s:%d: label: %v", path, line, err)
		}
		y = append(y, c)
		for _, p := range parts[1:] {
			v, err := strconv.ParseFloat(p, 64)
			if err != nil {
				tb.Fatalf("%s:%d: %v", path, line, err)
			}
			X = append(X, v)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return X, y, cols
}

func TestRegenerateSynthetic(t *testing.T) {
	if !*regen {
		t.Skip("run with -regen to rewrite the synthetic data set")
	}
	X, y := synthetic(20261123, synthRows, synthCols, synthInformative, synthClasses, synthSigma)
	n := synthTrain * synthCols
	for _, f := range []struct {
		name string
		X    []float64
		y    []int
	}{{"synth_train.csv", X[:n], y[:synthTrain]}, {"synth_test.csv", X[n:], y[synthTrain:]}} {
		if err := writeCSV(filepath.Join("testdata", f.name), f.X, f.y, synthCols); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Println("wrote testdata/synth_train.csv and testdata/synth_test.csv")
}

var parity = flag.String("parity", "", "write the benchmark-sized data set (30000 training + 10000 test rows × 54 × 40 classes) as CSV files into this folder, and report this forest's fit time and accuracy on it, for comparison with testdata/sklearn_reference.py")

// TestParityLarge compares with scikit-learn at the benchmark's size:
//
//	go test ./forest/ -run TestParityLarge -parity /tmp/parity -v
//	/usr/bin/python3 forest/testdata/sklearn_reference.py /tmp/parity/train.csv /tmp/parity/test.csv
func TestParityLarge(t *testing.T) {
	if *parity == "" {
		t.Skip("run with -parity DIR")
	}
	X, y := synthetic(2026, 40000, 54, 30, 40, 1.6) // the first 30000 rows are benchData's
	n := 30000 * 54
	if err := os.MkdirAll(*parity, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeCSV(filepath.Join(*parity, "train.csv"), X[:n], y[:30000], 54); err != nil {
		t.Fatal(err)
	}
	if err := writeCSV(filepath.Join(*parity, "test.csv"), X[n:], y[30000:], 54); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	f, err := Fit(context.Background(), X[:n], 30000, 54, y[:30000], 40, Options{Trees: 100, Seed: 0, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	fit := time.Since(start)
	start = time.Now()
	pred, _, err := f.Predict(X[n:], 10000, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("go forest: fit %.1f s (1 worker), predict %.2f s (10000 rows), accuracy %.4f", fit.Seconds(), time.Since(start).Seconds(), accuracy(pred, y[30000:]))
}
