package dgcnn

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"
)

// Example is a training or validation graph with its class (an index into
// Model.Classes).
type Example struct {
	Input *Input
	Class int
}

// EpochStats summarises one training epoch.
type EpochStats struct {
	// Epoch counts from 1.
	Epoch int
	// Loss is the mean training cross-entropy over the epoch's graphs (as
	// computed during the steps, with dropout); TrainAcc the matching
	// accuracy.
	Loss, TrainAcc float64
	// ValAcc and ValLoss are measured on the validation graphs after the
	// epoch; NaN without a validation set.
	ValAcc, ValLoss float64
	// LR is the learning rate of the epoch's last step.
	LR float64
	// Seconds is the wall time of the epoch (training and validation).
	Seconds float64
}

// Adam's constants in Keras' form (spec §8.9).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-7
)

// lr returns the learning rate for the given number of applied updates.
func (m *Model) lr(step, decaySteps int) float64 {
	c := &m.Config
	if c.DecayEpochs == 0 {
		return c.LR
	}
	return c.LR * math.Pow(c.DecayRate, float64(step)/float64(decaySteps))
}

// decaySteps is (n/Batch)·DecayEpochs, at least 1.
func (m *Model) decaySteps(n int) int {
	return max(1, (n/m.Config.Batch)*m.Config.DecayEpochs)
}

// TrainStep runs one optimisation step on a batch (forward, backward, Adam
// update with the learning rate for decay steps decaySteps) and returns the
// summed loss and the number of correct predictions of the batch. rng draws
// the dropout masks.
func (m *Model) TrainStep(batch []Example, decaySteps int, rng *rand.Rand) (loss float64, correct int, err error) {
	inputs := make([]*Input, len(batch))
	y := make([]int, len(batch))
	for i, e := range batch {
		inputs[i] = e.Input
		y[i] = e.Class
		if e.Class < 0 || e.Class >= len(m.Classes) {
			return 0, 0, fmt.Errorf("dgcnn: example %d: class %d outside the %d classes", i, e.Class, len(m.Classes))
		}
	}
	if err := m.checkInputs(inputs); err != nil {
		return 0, 0, err
	}
	if len(batch) == 0 {
		return 0, 0, nil
	}
	loss, correct = m.forward(inputs, y, true, rng)
	m.backward(inputs)
	m.adam(m.lr(m.Step, decaySteps))
	return loss, correct, nil
}

// adam applies one Adam update with learning rate lr to every parameter.
func (m *Model) adam(lr float64) {
	t := float64(m.Step + 1)
	lrT := float32(lr * math.Sqrt(1-math.Pow(adamBeta2, t)) / (1 - math.Pow(adamBeta1, t)))
	const b1, b2, eps = float32(adamBeta1), float32(adamBeta2), float32(adamEps)
	for _, p := range m.Params {
		parallelRows(m.Config.Workers, (len(p.W)+63)/64, func(lo, hi int) {
			for i := lo * 64; i < min(hi*64, len(p.W)); i++ {
				g := p.G[i]
				p.M[i] = b1*p.M[i] + (1-b1)*g
				p.V[i] = b2*p.V[i] + (1-b2)*g*g
				p.W[i] -= lrT * p.M[i] / (float32(math.Sqrt(float64(p.V[i]))) + eps)
			}
		})
	}
	m.Step++
}

// Evaluate returns the mean loss and the accuracy of the model on examples.
func (m *Model) Evaluate(ctx context.Context, examples []Example) (loss, acc float64, err error) {
	if len(examples) == 0 {
		return math.NaN(), math.NaN(), nil
	}
	inputs := make([]*Input, len(examples))
	for i, e := range examples {
		inputs[i] = e.Input
	}
	probs, err := m.Predict(ctx, inputs)
	if err != nil {
		return 0, 0, err
	}
	nc := len(m.Classes)
	correct := 0
	for i, e := range examples {
		pr := probs[i*nc : (i+1)*nc]
		best := 0
		for j, v := range pr {
			if v > pr[best] {
				best = j
			}
		}
		if best == e.Class {
			correct++
		}
		loss -= math.Log(math.Max(float64(pr[e.Class]), 1e-7))
	}
	return loss / float64(len(examples)), float64(correct) / float64(len(examples)), nil
}

// Fit trains the model for Config.Epochs epochs on train, evaluating val
// (may be empty) after each epoch, and writes one progress line per epoch
// to progress (may be nil). Batches are consecutive slices of train in the
// given order and only their order is shuffled each epoch, unless
// Config.FullShuffle is set. It returns the statistics of every epoch run;
// on cancellation it stops between steps and returns ctx's error with the
// statistics so far.
func (m *Model) Fit(ctx context.Context, train, val []Example, progress io.Writer) ([]EpochStats, error) {
	c := &m.Config
	if len(train) == 0 {
		return nil, fmt.Errorf("dgcnn: fit: no training graphs")
	}
	orderRNG := rand.New(rand.NewPCG(c.Seed, 0x0b0d))
	dropRNG := rand.New(rand.NewPCG(c.Seed, 0xd0d0))
	decay := m.decaySteps(len(train))
	nb := (len(train) + c.Batch - 1) / c.Batch
	order := make([]int, nb)
	perm := make([]int, len(train))
	for i := range perm {
		perm[i] = i
	}
	buf := make([]Example, 0, c.Batch)

	var stats []EpochStats
	best := math.Inf(-1)
	var bestW [][]float32
	sinceBest := 0
	for epoch := 1; epoch <= c.Epochs; epoch++ {
		start := time.Now()
		if c.FullShuffle {
			orderRNG.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			for i := range order {
				order[i] = i
			}
		} else {
			for i := range order {
				order[i] = i
			}
			orderRNG.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		var loss float64
		correct := 0
		for _, bi := range order {
			if err := ctx.Err(); err != nil {
				return stats, fmt.Errorf("dgcnn: fit: epoch %d: %w", epoch, err)
			}
			lo, hi := bi*c.Batch, min((bi+1)*c.Batch, len(train))
			buf = buf[:0]
			for _, i := range perm[lo:hi] {
				buf = append(buf, train[i])
			}
			l, k, err := m.TrainStep(buf, decay, dropRNG)
			if err != nil {
				return stats, fmt.Errorf("dgcnn: fit: epoch %d, training graphs %d-%d: %w", epoch, lo, hi-1, err)
			}
			loss += l
			correct += k
		}
		st := EpochStats{Epoch: epoch, Loss: loss / float64(len(train)), TrainAcc: float64(correct) / float64(len(train)),
			ValAcc: math.NaN(), ValLoss: math.NaN(), LR: m.lr(m.Step-1, decay)}
		if len(val) > 0 {
			vl, va, err := m.Evaluate(ctx, val)
			if err != nil {
				return stats, fmt.Errorf("dgcnn: fit: epoch %d validation: %w", epoch, err)
			}
			st.ValLoss, st.ValAcc = vl, va
		}
		st.Seconds = time.Since(start).Seconds()
		stats = append(stats, st)
		if progress != nil {
			fmt.Fprintf(progress, "epoch %d/%d: loss %.4f acc %.4f", epoch, c.Epochs, st.Loss, st.TrainAcc)
			if len(val) > 0 {
				fmt.Fprintf(progress, " val_loss %.4f val_acc %.4f", st.ValLoss, st.ValAcc)
			}
			fmt.Fprintf(progress, " lr %.3g %.1fs\n", st.LR, st.Seconds)
		}
		if c.Patience > 0 {
			score := -st.Loss
			if len(val) > 0 {
				score = st.ValAcc
			}
			if score > best {
				best, sinceBest = score, 0
				bestW = m.snapshot(bestW)
			} else if sinceBest++; sinceBest >= c.Patience {
				if progress != nil {
					fmt.Fprintf(progress, "early stop after epoch %d: no improvement for %d epochs, best weights restored\n", epoch, c.Patience)
				}
				break
			}
		}
	}
	if bestW != nil {
		for i, p := range m.Params {
			copy(p.W, bestW[i])
		}
	}
	return stats, nil
}

// snapshot copies the weights into dst (allocated when nil).
func (m *Model) snapshot(dst [][]float32) [][]float32 {
	if dst == nil {
		dst = make([][]float32, len(m.Params))
		for i, p := range m.Params {
			dst[i] = make([]float32, len(p.W))
		}
	}
	for i, p := range m.Params {
		copy(dst[i], p.W)
	}
	return dst
}
