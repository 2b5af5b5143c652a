package dgcnn

import (
	"errors"
	"fmt"
)

// Config holds the architecture and training settings. DefaultConfig gives
// the reference's values (spec §8).
type Config struct {
	// Layers are the output sizes of the graph convolution layers
	// (reference: 1024, 1024, 1024, 512).
	Layers []int
	// K is the number of node rows kept by SortPooling (reference: 10).
	K int
	// Conv1Filters is the number of filters of the first Conv1D, whose
	// kernel and stride equal the total number of channels (reference: 256).
	Conv1Filters int
	// Pool is the MaxPool1D size and stride (reference: 2).
	Pool int
	// Conv2Filters and Conv2Kernel shape the second Conv1D (reference: 512
	// filters, kernel 5, stride 1). K/Pool must be at least Conv2Kernel.
	Conv2Filters, Conv2Kernel int
	// Dense is the number of units of the hidden dense layer (reference:
	// 1024, ReLU).
	Dense int
	// Dropout is the dropout rate after the hidden dense layer (reference:
	// 0.25; inverted dropout, training only).
	Dropout float64
	// LR is the initial learning rate (reference: 1e-4). The rate decays
	// continuously as LR·DecayRate^(step/decaySteps) with decaySteps =
	// (number of training graphs / Batch, rounded down)·DecayEpochs, at
	// least 1; DecayEpochs 0 disables the decay.
	LR          float64
	DecayRate   float64
	DecayEpochs int
	// Batch is the number of graphs per training step (reference: 256).
	Batch int
	// Epochs is the number of passes over the training graphs (reference:
	// 150).
	Epochs int
	// FullShuffle permutes the graphs themselves every epoch. By default,
	// as in the reference, batches are consecutive slices of the training
	// list and only the order of the batches is shuffled (spec §8.9).
	FullShuffle bool
	// Patience enables early stopping when > 0: training stops after
	// Patience epochs without improvement of the validation accuracy (of
	// the training loss when no validation set is given) and the best
	// weights are restored. The reference uses none.
	Patience int
	// Adjacency chooses the graph operator (reference: the zero value).
	Adjacency AdjacencyOptions
	// Seed seeds every random choice: weight initialisation, batch order
	// and dropout, each from its own stream.
	Seed uint64
	// Workers bounds the goroutines used for per-graph work (>= 1). The
	// results do not depend on it.
	Workers int
}

// DefaultConfig returns the reference configuration (spec §8.4–§8.9).
func DefaultConfig() Config {
	return Config{
		Layers:       []int{1024, 1024, 1024, 512},
		K:            10,
		Conv1Filters: 256,
		Pool:         2,
		Conv2Filters: 512,
		Conv2Kernel:  5,
		Dense:        1024,
		Dropout:      0.25,
		LR:           1e-4,
		DecayRate:    0.9,
		DecayEpochs:  20,
		Batch:        256,
		Epochs:       150,
		Seed:         1,
		Workers:      1,
	}
}

// channels returns the total number of concatenated graph channels.
func (c *Config) channels() int {
	s := 0
	for _, l := range c.Layers {
		s += l
	}
	return s
}

// pooledLen is the sequence length after MaxPool1D, convLen after the
// second Conv1D.
func (c *Config) pooledLen() int { return c.K / c.Pool }
func (c *Config) convLen() int   { return c.pooledLen() - c.Conv2Kernel + 1 }

// Validate reports the first setting that cannot work.
func (c *Config) Validate() error {
	if len(c.Layers) == 0 {
		return errors.New("dgcnn: config: no graph convolution layers")
	}
	for i, l := range c.Layers {
		if l < 1 {
			return fmt.Errorf("dgcnn: config: layer %d has size %d", i, l)
		}
	}
	switch {
	case c.K < 1:
		return fmt.Errorf("dgcnn: config: k = %d, want >= 1", c.K)
	case c.Pool < 1:
		return fmt.Errorf("dgcnn: config: pool = %d, want >= 1", c.Pool)
	case c.Conv2Kernel < 1:
		return fmt.Errorf("dgcnn: config: conv2 kernel = %d, want >= 1", c.Conv2Kernel)
	case c.convLen() < 1:
		return fmt.Errorf("dgcnn: config: k/pool = %d/%d = %d is shorter than the conv2 kernel %d", c.K, c.Pool, c.pooledLen(), c.Conv2Kernel)
	case c.Pool > 127:
		return fmt.Errorf("dgcnn: config: pool = %d, want <= 127", c.Pool)
	case c.Conv1Filters < 1 || c.Conv2Filters < 1 || c.Dense < 1:
		return fmt.Errorf("dgcnn: config: filters/units must be >= 1 (conv1 %d, conv2 %d, dense %d)", c.Conv1Filters, c.Conv2Filters, c.Dense)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return fmt.Errorf("dgcnn: config: dropout = %v, want in [0, 1)", c.Dropout)
	case !(c.LR > 0):
		return fmt.Errorf("dgcnn: config: lr = %v, want > 0", c.LR)
	case c.DecayEpochs < 0 || (c.DecayEpochs > 0 && !(c.DecayRate > 0)):
		return fmt.Errorf("dgcnn: config: decay rate %v over %d epochs", c.DecayRate, c.DecayEpochs)
	case c.Batch < 1:
		return fmt.Errorf("dgcnn: config: batch = %d, want >= 1", c.Batch)
	case c.Epochs < 0:
		return fmt.Errorf("dgcnn: config: epochs = %d, want >= 0", c.Epochs)
	case c.Patience < 0:
		return fmt.Errorf("dgcnn: config: patience = %d, want >= 0", c.Patience)
	case c.Workers < 1:
		return fmt.Errorf("dgcnn: config: workers = %d, want >= 1", c.Workers)
	}
	return nil
}
