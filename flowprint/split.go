package flowprint

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SplitFlows splits flows at random into a training and a test part, as
// the reference's --split does with scikit-learn's train_test_split: the
// test part has ceil(fraction*n) flows, both parts follow one random
// permutation (test first). The permutation comes from a PCG generator
// seeded with seed, so the split is reproducible here but not equal to
// NumPy's.
func SplitFlows(flows []Flow, fraction float64, seed uint64) (train, test []Flow, err error) {
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, fmt.Errorf("flowprint: split fraction %v must be in (0, 1)", fraction)
	}
	n := len(flows)
	nTest := int(math.Ceil(fraction * float64(n)))
	if n > 0 && (nTest == 0 || nTest == n) {
		return nil, nil, fmt.Errorf("flowprint: split fraction %v of %d flows leaves an empty part", fraction, n)
	}
	rng := rand.New(rand.NewPCG(seed, 0x666c6f777072696e)) // "flowprin"
	perm := rng.Perm(n)
	for _, i := range perm[:nTest] {
		test = append(test, flows[i])
	}
	for _, i := range perm[nTest:] {
		train = append(train, flows[i])
	}
	return train, test, nil
}
