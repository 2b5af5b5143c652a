package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestFeaturesExportParquet exports each kind of the synthetic corpus as
// CSV and as Parquet and reads the Parquet files back: the same rows and
// columns, in order, numbers as INT64 or DOUBLE, text as UTF8, every value
// equal to the CSV's; the graph edges beside the nodes; with pandas when
// pyarrow is installed.
func TestFeaturesExportParquet(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"appscanner", "graph", "destinations", "flows"} {
		t.Run(kind, func(t *testing.T) {
			args := []string{"features", "--synth", "--kind", kind, "--window", "2m", "--overlap", "1m", "-o"}
			csvOut, pqOut := filepath.Join(dir, kind+".csv"), filepath.Join(dir, kind+".parquet")
			if _, _, err := executeErr(t, append(args, csvOut)...); err != nil {
				t.Fatal(err)
			}
			_, stderr, err := executeErr(t, append(args, pqOut)...)
			if err != nil {
				t.Fatal(err)
			}
			if m := wroteLine.FindStringSubmatch(stderr); m == nil || m[3] != kind {
				t.Fatalf("report %q", stderr)
			}
			recs := readCSV(t, csvOut)
			compareParquet(t, pqOut, recs)
			if kind == "graph" {
				compareParquet(t, filepath.Join(dir, "graph.edges.parquet"), readCSV(t, filepath.Join(dir, "graph.edges.csv")))
			}
			if !hasPython("pandas", "pyarrow") {
				t.Log("no python3 with pandas and pyarrow (Debian packages no pyarrow): not reading with pandas")
				return
			}
			checkPandas(t, pqOut, len(recs)-1, len(recs[0]))
		})
	}
}

// compareParquet reads the Parquet file at path and checks it holds recs,
// a CSV's header and rows.
func compareParquet(t *testing.T, path string, recs [][]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	fields := f.Schema().Fields()
	if len(fields) != len(recs[0]) || f.NumRows() != int64(len(recs)-1) || f.NumRows() == 0 {
		t.Fatalf("%s: %d rows × %d columns, the CSV %d × %d", path, f.NumRows(), len(fields), len(recs)-1, len(recs[0]))
	}
	for j, fl := range fields {
		if fl.Name() != recs[0][j] {
			t.Errorf("%s: column %d is %s, the CSV's %s", path, j, fl.Name(), recs[0][j])
		}
		if want := wantKind(fl.Name()); fl.Type().Kind() != want {
			t.Errorf("%s: column %s is %v, want %v", path, fl.Name(), fl.Type().Kind(), want)
		}
	}
	rows := make([]parquet.Row, f.NumRows())
	r := parquet.NewReader(f)
	defer r.Close()
	if n, err := r.ReadRows(rows); n != len(rows) {
		t.Fatalf("%s: read %d rows: %v", path, n, err)
	}
	for i, row := range rows {
		for j, v := range row {
			if !sameValue(v, recs[i+1][j]) {
				t.Fatalf("%s: row %d column %s: %v, the CSV %q", path, i+1, recs[0][j], v, recs[i+1][j])
			}
		}
	}
}

// hasPython reports whether a Python 3 imports every module.
func hasPython(modules ...string) bool {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return true
		}
	}
	return false
}

func wantKind(column string) parquet.Kind {
	switch {
	case stringColumns[column]:
		return parquet.ByteArray
	case intColumns[column]:
		return parquet.Int64
	}
	return parquet.Double
}

// sameValue reports whether v is the value of the CSV field s.
func sameValue(v parquet.Value, s string) bool {
	switch {
	case v.IsNull():
		return s == ""
	case v.Kind() == parquet.ByteArray:
		return string(v.ByteArray()) == s
	case v.Kind() == parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10) == s
	}
	x, err := strconv.ParseFloat(s, 64)
	return err == nil && (x == v.Double() || math.IsNaN(x) && math.IsNaN(v.Double()))
}
