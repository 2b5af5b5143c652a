package mappgraph

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"appbench/internal/shared"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// TestFeaturizer checks that the network predicts the same from features
// as from samples, on packet chunks (with chunks that give no graph) and,
// with APPBENCH_SHARED, on a subset of the processed graphs.
func TestFeaturizer(t *testing.T) {
	train, test := methodtest.GraphChunks(rand.New(rand.NewPCG(1, 2)))
	methodtest.CheckFeaturizer(t, "mappgraph", epochs(5), 7, train, test)
	methodtest.CheckFeaturizer(t, "mappgraph", epochs(3)+"ip_features: false\nweighted: true\ndegenerate: unknown\n", 7, train, test)
	t.Run("processed", func(t *testing.T) {
		root := shared.Path(t, "data/mappgraph/2_0")
		var sets [2][]methods.Sample
		for i, split := range []string{"train_graphs", "test_graphs"} {
			all, err := methodtest.ProcessedSamples(filepath.Join(root, split, "N20", "t10"))
			if err != nil {
				t.Fatal(err)
			}
			for j := 0; j < len(all); j += 20 {
				sets[i] = append(sets[i], all[j])
			}
		}
		methodtest.CheckFeaturizer(t, "mappgraph", epochs(2), 7, sets[0], sets[1])
	})
}

// TestFeatureKeys checks that N and t_slice change the key and the network
// and training parameters do not.
func TestFeatureKeys(t *testing.T) {
	methodtest.CheckFeatureKey(t, "mappgraph", []string{"max_nodes: 10", "slice: 5"},
		[]string{"k: 12", "layers: [8]", "epochs: 1", "lr: 0.1", "ip_features: false", "weighted: true", "degenerate: unknown"})
}

// epochs is the small architecture trained for n epochs.
func epochs(n int) string {
	return strings.Replace(small, "epochs: 30", fmt.Sprintf("epochs: %d", n), 1)
}
