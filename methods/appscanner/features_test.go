package appscanner

import (
	"math/rand/v2"
	"slices"
	"testing"

	"appbench/appscanner"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// TestFeaturizer checks that predictions from features equal Fit/Predict
// for both extraction semantics, several models, soft voting and a
// threshold, on this package's app chunks and on the shared graph-method
// chunks (which include empty chunks).
func TestFeaturizer(t *testing.T) {
	for _, c := range []struct {
		params string
		frames bool
	}{
		{"trees: 20\n", false},
		{"trees: 20\nextraction: pcap\n", true},
		{"trees: 10\nmodels: 3\nthreshold: 0.5\n", false},
		{"trees: 10\nvoting: soft\nburst_gap: 2\n", true},
	} {
		methodtest.CheckFeaturizer(t, "appscanner", c.params, 1, samples(1, 6, c.frames), samples(2, 3, c.frames))
	}
	train, test := methodtest.GraphChunks(rand.New(rand.NewPCG(1, 2)))
	methodtest.CheckFeaturizer(t, "appscanner", "trees: 20\n", 1, train, test)
}

// TestFeatureKeys checks that the burst gap and the extraction change the
// key and the forest and voting parameters do not.
func TestFeatureKeys(t *testing.T) {
	methodtest.CheckFeatureKey(t, "appscanner",
		[]string{"burst_gap: 2", "extraction: csv"},
		[]string{"trees: 5", "max_features: 3", "max_depth: 4", "min_samples_leaf: 2", "threshold: 0.9", "models: 2", "voting: soft"})
}

// TestFeaturesRows checks that the decoded rows are the extracted flows'
// features bit for bit and that every truncation is an error.
func TestFeaturesRows(t *testing.T) {
	m := methodtest.New(t, "appscanner", "", 1, 1).(*Method)
	s := samples(3, 1, false)[0]
	b, err := m.Features(s)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := m.flows(s.Packets)
	if err != nil {
		t.Fatal(err)
	}
	want := appscanner.Features(fl)
	got, n, err := decodeRows(nil, b)
	if err != nil || n != len(fl) || len(got) != len(want) {
		t.Fatalf("decoded %d rows (%d values, %v), want %d rows (%d values)", n, len(got), err, len(fl), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("value %d: %v, want %v", i, got[i], want[i])
		}
	}
	// Damaged bytes give errors or other features, never a panic.
	methodtest.Mutations(b, func(c []byte) { _, _, _ = decodeRows(nil, c) })
	for k := 0; k < len(b); k++ {
		if _, _, err := decodeRows(nil, b[:k]); err == nil {
			t.Fatalf("features truncated to %d of %d bytes accepted", k, len(b))
		}
	}
	if _, _, err := rowsAt(nil, "test", 4, &methods.Encoded{Capture: "c.csv", Features: b[:9]}); err == nil {
		t.Fatal("damaged features accepted")
	}
}

// TestDecodeFlows checks that DecodeFlows gives back the flows' keys and
// the rows FitFeatures trains on, and rejects damaged features.
func TestDecodeFlows(t *testing.T) {
	m := methodtest.New(t, "appscanner", "", 1, 1).(*Method)
	s := samples(3, 1, false)[0]
	b, err := m.Features(s)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := m.flows(s.Packets)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := DecodeFlows(b)
	if err != nil {
		t.Fatal(err)
	}
	X, n, err := decodeRows(nil, b)
	if err != nil || n != len(fl) || len(rows) != n {
		t.Fatalf("%d rows, %d decoded, %d flows, %v", len(rows), n, len(fl), err)
	}
	for i := range rows {
		if rows[i].Key != fl[i].Key {
			t.Errorf("flow %d: key %+v, want %+v", i, rows[i].Key, fl[i].Key)
		}
		if !slices.Equal(rows[i].Features, X[i*appscanner.NumFeatures:(i+1)*appscanner.NumFeatures]) {
			t.Errorf("flow %d: row differs", i)
		}
	}
	if _, err := DecodeFlows(b[:len(b)-1]); err == nil {
		t.Error("truncated features accepted")
	}
}
