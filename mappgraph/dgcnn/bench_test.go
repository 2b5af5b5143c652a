package dgcnn

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchBatch makes batch graphs with 63 features and node counts shaped
// like the shared N20 data (mostly 3–6 nodes, at most 20).
func benchBatch(rng *rand.Rand, batch, classes int) ([]Example, int) {
	ex := make([]Example, batch)
	rows := 0
	for i := range ex {
		n := min(20, 3+int(rng.ExpFloat64()*2.5))
		rows += n
		x := randSlice(rng, n*63, 1)
		in, err := Prepare(x, n, 63, completeEdges(rng, n), AdjacencyOptions{})
		if err != nil {
			panic(err)
		}
		ex[i] = Example{Input: in, Class: rng.IntN(classes)}
	}
	return ex, rows
}

// BenchmarkTrainStep times one training step (forward, backward, Adam) of
// the reference architecture at batch 256 with 101 classes. Run with
// -benchtime=3x; add -tags openblas for OpenBLAS.
func BenchmarkTrainStep(b *testing.B) {
	for _, arch := range []struct {
		name   string
		layers []int
	}{{"default", []int{1024, 1024, 1024, 512}}, {"small", []int{128, 128, 128, 64}}} {
		b.Run(arch.name+"/"+DefaultGEMMName(), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Layers = arch.layers
			cfg.Workers = 2
			classes := make([]string, 101)
			for i := range classes {
				classes[i] = "app" + strconv.Itoa(i)
			}
			m, err := New(cfg, 63, classes)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			batch, rows := benchBatch(rng, 256, 101)
			drop := rand.New(rand.NewPCG(3, 4))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := m.TrainStep(batch, 560, drop); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(256*b.N)/b.Elapsed().Seconds(), "graphs/s")
			b.ReportMetric(float64(rows), "nodes/batch")
			if math.IsNaN(float64(m.Params[0].W[0])) {
				b.Fatal("NaN weights")
			}
		})
	}
}

// BenchmarkTrainStepBLASThreads times the reference step with the BLAS
// limited to one thread and with two (meaningful with -tags openblas).
func BenchmarkTrainStepBLASThreads(b *testing.B) {
	for _, threads := range []int{1, 2} {
		b.Run(DefaultGEMMName()+"/threads="+strconv.Itoa(threads), func(b *testing.B) {
			SetBLASThreads(threads)
			defer SetBLASThreads(1)
			cfg := DefaultConfig()
			cfg.Workers = 2
			classes := make([]string, 101)
			for i := range classes {
				classes[i] = "app" + strconv.Itoa(i)
			}
			m, err := New(cfg, 63, classes)
			if err != nil {
				b.Fatal(err)
			}
			batch, _ := benchBatch(rand.New(rand.NewPCG(1, 2)), 256, 101)
			drop := rand.New(rand.NewPCG(3, 4))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := m.TrainStep(batch, 560, drop); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(256*b.N)/b.Elapsed().Seconds(), "graphs/s")
		})
	}
}
