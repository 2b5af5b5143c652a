package resultfmt

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func samePrediction(a, b SamplePrediction) bool {
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	return a.Capture == b.Capture && a.Chunk == b.Chunk && same(a.Start, b.Start) && same(a.Stop, b.Stop) &&
		a.Truth == b.Truth && a.Predicted == b.Predicted && same(a.Score, b.Score) && a.Unknown == b.Unknown
}

func TestPredictionsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	ps := []SamplePrediction{
		{Capture: "a/x, \"quoted\".pcap", Chunk: 3, Start: 1700000000.123456789, Stop: 1700000030.1, Truth: "a", Predicted: "b", Score: 0.1 + 0.2, Unknown: true},
		{Capture: "b/test/7", Chunk: 7, Start: math.NaN(), Stop: math.NaN(), Truth: "b", Predicted: "b", Score: math.Inf(-1)},
		{Capture: "c/y.pcap", Chunk: 1, Start: 0, Stop: 1e-300, Truth: "c", Predicted: "", Score: math.NaN()},
	}
	if err := WritePredictions(dir, "cell-1", ps); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPredictions(PredictionsPath(dir, "cell-1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ps) {
		t.Fatalf("%d rows back, want %d", len(got), len(ps))
	}
	for i := range ps {
		if !samePrediction(got[i], ps[i]) {
			t.Errorf("row %d: %+v, want %+v", i, got[i], ps[i])
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d files in the folder, want only the predictions file", len(ents))
	}
}

func TestReadPredictionsErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ text, want string }{
		"header": {"capture,chunk\n", ":1: not a predictions file"},
		"chunk":  {strings.Join(predictionsHeader, ",") + "\na,x,1,2,a,a,0.5,false\n", ":2: chunk \"x\""},
		"flag":   {strings.Join(predictionsHeader, ",") + "\na,1,1,2,a,a,0.5,false\na,2,1,2,a,a,0.5,maybe\n", ":3: unknown \"maybe\""},
		"fields": {strings.Join(predictionsHeader, ",") + "\na,1,1,2\n", "wrong number of fields"},
	} {
		p := filepath.Join(dir, name+".csv")
		os.WriteFile(p, []byte(tc.text), 0o644)
		_, err := ReadPredictions(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming %s with %q", name, err, p, tc.want)
		}
	}
}
