package flowprint

import (
	"bytes"
	"os"
	"strconv"
	"testing"

	"appbench/internal/shared"
)

// TestGoldenSplit checks recognition and detection of the ja4 split against
// the reference's printed reports, starting from its fingerprint files.
func TestGoldenSplit(t *testing.T) {
	train := shared.Path(t, "golden/flowprint/ja4-split/fp.train.json")
	test := shared.Path(t, "golden/flowprint/ja4-split/fp.test.json")
	m := NewModel(DefaultParams())
	if err := m.LoadJSON(train); err != nil {
		t.Fatal(err)
	}
	tests, err := LoadTestJSON(test)
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 9 || len(tests) != 6 {
		t.Fatalf("loaded %d training and %d test fingerprints, want 9 and 6", m.Len(), len(tests))
	}
	fps := make([]Fingerprint, len(tests))
	for i, e := range tests {
		fps[i] = e.Fingerprint
	}

	labels, err := m.Recognize(fps)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := WriteMatchReport(&got, tests, labels); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(shared.Path(t, "golden/flowprint/ja4-split/recognition.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("recognition report differs:\n--- got\n%s\n--- want\n%s", got.String(), want)
	}

	flags, err := m.Detect(fps, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	preds := make([]string, len(flags))
	for i, f := range flags {
		preds[i] = strconv.Itoa(f)
	}
	got.Reset()
	if err := WriteMatchReport(&got, tests, preds); err != nil {
		t.Fatal(err)
	}
	want, err = os.ReadFile(shared.Path(t, "golden/flowprint/ja4-split/detection.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("detection report differs:\n--- got\n%s\n--- want\n%s", got.String(), want)
	}
}

// TestJSONRoundTrip checks that writing the reference's files back gives
// the same bytes.
func TestJSONRoundTrip(t *testing.T) {
	for _, name := range []string{"fp.train.json", "fp.test.json"} {
		path := shared.Path(t, "golden/flowprint/ja4-split/"+name)
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		params, fps, err := ReadJSON(bytes.NewReader(want), path)
		if err != nil {
			t.Fatal(err)
		}
		m := NewModel(Params{Batch: params.Batch, Window: params.Window, Correlation: params.Correlation, Similarity: params.Similarity})
		m.Threshold = params.Threshold
		for _, lf := range fps {
			m.entries = append(m.entries, Entry{Fingerprint: lf.Fingerprint, Labels: []string{lf.Label}})
		}
		var got bytes.Buffer
		if err := m.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want) {
			t.Errorf("%s: round trip differs:\n got %.300s\nwant %.300s", name, got.String(), want)
		}
	}
}
