package workpool

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestRunVisitsEveryIndexOnceWithinTheLimit(t *testing.T) {
	const n, workers = 200, 3
	seen := make([]int32, n)
	var running, peak atomic.Int32
	err := Run(context.Background(), workers, n, func(_ context.Context, i int) error {
		r := running.Add(1)
		for {
			p := peak.Load()
			if r <= p || peak.CompareAndSwap(p, r) {
				break
			}
		}
		atomic.AddInt32(&seen[i], 1)
		running.Add(-1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range seen {
		if s != 1 {
			t.Fatalf("index %d visited %d times", i, s)
		}
	}
	if p := peak.Load(); p > workers {
		t.Fatalf("%d items ran at once, limit %d", p, workers)
	}
}

func TestRunReturnsTheFirstErrorAndStops(t *testing.T) {
	boom := errors.New("boom")
	var started atomic.Int32
	err := Run(context.Background(), 1, 100, func(ctx context.Context, i int) error {
		started.Add(1)
		if i == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if s := started.Load(); s > 5 {
		t.Fatalf("%d items started after the failure at item 3", s)
	}
}

func TestRunReportsCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := Run(ctx, 2, 10, func(context.Context, int) error { called = true; return nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("err = %v, called = %v; want context.Canceled and no call", err, called)
	}
}
