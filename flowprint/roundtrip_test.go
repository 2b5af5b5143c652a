package flowprint

import (
	"bytes"
	"net/netip"
	"reflect"
	"testing"
)

// TestModelRoundTripMatchesJSON checks that RoundTrip gives the model that
// writing the fingerprints as JSON and loading them back gives: the
// NoCertificate element gone, and fingerprints that become equal merged
// with their labels unioned.
func TestModelRoundTripMatchesJSON(t *testing.T) {
	dst := DestinationElement(netip.MustParseAddr("10.0.0.1"), 443)
	other := DestinationElement(netip.MustParseAddr("10.0.0.2"), 80)
	none := Element{Kind: NoCertificate}
	m := NewModel(Params{Batch: 300, Window: 30, Correlation: 0.1, Similarity: 0.9})
	m.Threshold = 0.25
	m.Add(Fingerprint{Elements: []Element{dst, none}, NFlows: 3}, "a")
	m.Add(Fingerprint{Elements: []Element{dst}, NFlows: 2}, "b")
	m.Add(Fingerprint{Elements: []Element{other, CertificateElement("17"), none}, NFlows: 1}, "c")

	var buf bytes.Buffer
	if err := m.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	_, fps, err := ReadJSON(&buf, "model")
	if err != nil {
		t.Fatal(err)
	}
	want := NewModel(m.Params)
	for _, lf := range fps {
		want.Add(lf.Fingerprint, lf.Label)
	}

	got := m.RoundTrip()
	if got.Threshold != m.Threshold {
		t.Errorf("threshold %v, want %v", got.Threshold, m.Threshold)
	}
	if got.Len() != 2 || want.Len() != 2 {
		t.Fatalf("round trip has %d fingerprints, JSON %d; want 2", got.Len(), want.Len())
	}
	for i, e := range got.Entries() {
		w := want.Entries()[i]
		if e.Fingerprint.Key() != w.Fingerprint.Key() || !reflect.DeepEqual(e.Labels, w.Labels) {
			t.Errorf("entry %d: %v %v, JSON gives %v %v", i, e.Fingerprint, e.Labels, w.Fingerprint, w.Labels)
		}
	}
	if m.Len() != 3 {
		t.Errorf("RoundTrip changed its receiver: %d fingerprints", m.Len())
	}
}
