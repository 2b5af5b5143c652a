package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"
)

// profileFlags are run's profiling flags.
type profileFlags struct {
	cpu, mem string
}

func (f *profileFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.cpu, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	cmd.Flags().StringVar(&f.mem, "memprofile", "", "write a heap profile taken at the run's largest live heap to this file (go tool pprof)")
}

// start starts the CPU profile and the heap watch; the returned function
// stops them and writes the profiles.
func (f *profileFlags) start() (stop func() error, err error) {
	var cpu *os.File
	if f.cpu != "" {
		if cpu, err = os.Create(f.cpu); err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	var w *heapWatch
	if f.mem != "" {
		w = watchHeap(50 * time.Millisecond)
	}
	return func() error {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				return fmt.Errorf("--cpuprofile: %w", err)
			}
		}
		if w == nil {
			return nil
		}
		if err := os.WriteFile(f.mem, w.stop(), 0o644); err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		return nil
	}, nil
}

// liveMetric is the heap that the last collection found live.
const liveMetric = "/gc/heap/live:bytes"

// heapWatch keeps the heap profile of the largest live heap seen. A heap
// profile's in-use figures are those of the last collection, as is
// liveMetric, so the profile kept shows what the largest live heap was
// made of; its allocation figures are those of the run up to that point.
type heapWatch struct {
	quit chan struct{}
	done chan []byte
}

// watchHeap samples the live heap every period and takes a heap profile
// whenever it exceeds the largest seen by a sixteenth.
func watchHeap(period time.Duration) *heapWatch {
	w := &heapWatch{quit: make(chan struct{}), done: make(chan []byte, 1)}
	go func() {
		s := []metrics.Sample{{Name: liveMetric}}
		var best bytes.Buffer
		var peak uint64
		take := func(force bool) {
			metrics.Read(s)
			if s[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			if v := s[0].Value.Uint64(); force && best.Len() == 0 || v > peak+peak/16 {
				peak = v
				best.Reset()
				_ = pprof.Lookup("heap").WriteTo(&best, 0) // writes to memory: never fails
			}
		}
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-w.quit:
				take(true)
				w.done <- best.Bytes()
				return
			case <-t.C:
				take(false)
			}
		}
	}()
	return w
}

// stop ends the watch and returns the profile kept.
func (w *heapWatch) stop() []byte {
	close(w.quit)
	return <-w.done
}
