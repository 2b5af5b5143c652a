package baseline

import (
	"math/rand/v2"
	"testing"

	"appbench/internal/shared"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// processedSubset returns every step-th sample of a shared processed-graph
// split; it skips the test when APPBENCH_SHARED is unset.
func processedSubset(t *testing.T, split string, step int) []methods.Sample {
	t.Helper()
	all, err := methodtest.ProcessedSamples(shared.Path(t, "data/mappgraph/2_0/"+split+"/N20/t10"))
	if err != nil {
		t.Fatal(err)
	}
	var out []methods.Sample
	for i := 0; i < len(all); i += step {
		out = append(out, all[i])
	}
	return out
}

// TestFeaturizer checks that both baselines predict the same from features
// as from samples, on packet chunks and, with APPBENCH_SHARED, processed
// graphs.
func TestFeaturizer(t *testing.T) {
	train, test := methodtest.GraphChunks(rand.New(rand.NewPCG(1, 2)))
	for _, c := range []struct{ name, params string }{
		{"majority", ""},
		{"destination-set", ""},
		{"destination-set", "service_only: false\nk: 1\n"},
	} {
		methodtest.CheckFeaturizer(t, c.name, c.params, 1, train, test)
	}
	t.Run("processed", func(t *testing.T) {
		ptrain, ptest := processedSubset(t, "train_graphs", 5), processedSubset(t, "test_graphs", 5)
		methodtest.CheckFeaturizer(t, "majority", "", 1, ptrain, ptest)
		methodtest.CheckFeaturizer(t, "destination-set", "", 1, ptrain, ptest)
	})
}

// TestFeatureKeys checks that service_only changes the destination-set
// key and k and unknown_threshold do not.
func TestFeatureKeys(t *testing.T) {
	methodtest.CheckFeatureKey(t, "destination-set", []string{"service_only: false"}, []string{"k: 7", "unknown_threshold: 0.5"})
	methodtest.CheckFeatureKey(t, "majority", nil, nil)
}

// TestDestinationFeaturesDamaged checks that damaged features are errors
// naming the sample, not panics.
func TestDestinationFeaturesDamaged(t *testing.T) {
	m := build(t, "destination-set", "").(*DestinationSet)
	b, err := m.Features(chunk("a", "1.1.1.1", "2.2.2.2"))
	if err != nil {
		t.Fatal(err)
	}
	// Damaged bytes give errors or other features, never a panic.
	methodtest.Mutations(b, func(c []byte) { _, _ = decodeDestinations(c) })
	for n := 0; n < len(b); n++ {
		if _, err := decodeDestinations(b[:n]); err == nil {
			t.Fatalf("features truncated to %d of %d bytes accepted", n, len(b))
		}
	}
	if _, err := decodeDestinations(append(b, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}
