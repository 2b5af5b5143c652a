package workpool

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestRunStateVisitsEveryIndexOnceWithOneStatePerGoroutine(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 50} {
		const n = 40
		seen := make([]int32, n)
		var states atomic.Int32
		type state struct{ busy atomic.Bool }
		err := RunState(context.Background(), workers, n, func() *state {
			states.Add(1)
			return &state{}
		}, func(_ context.Context, s *state, i int) error {
			if s.busy.Swap(true) {
				t.Errorf("workers %d: a state serves two items at once", workers)
			}
			atomic.AddInt32(&seen[i], 1)
			s.busy.Store(false)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("workers %d: index %d visited %d times", workers, i, c)
			}
		}
		if want := int32(max(1, min(workers, n))); states.Load() != want {
			t.Errorf("workers %d: %d states made, want %d", workers, states.Load(), want)
		}
	}
}

func TestRunStateReturnsTheFirstErrorAndStops(t *testing.T) {
	boom := errors.New("boom")
	for _, workers := range []int{1, 2} {
		var started atomic.Int32
		err := RunState(context.Background(), workers, 1000, func() int { return 0 }, func(ctx context.Context, _ int, i int) error {
			started.Add(1)
			if i == 3 {
				return boom
			}
			if i > 3 {
				<-ctx.Done() // the failure of item 3 cancels ctx
			}
			return nil
		})
		if !errors.Is(err, boom) {
			t.Fatalf("workers %d: err = %v, want boom", workers, err)
		}
		if s := started.Load(); s > int32(4+workers) {
			t.Fatalf("workers %d: %d items started, failure at item 3", workers, s)
		}
	}
}

func TestRunStateReportsCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, workers := range []int{1, 4} {
		called := false
		err := RunState(ctx, workers, 10, func() int { return 0 }, func(context.Context, int, int) error { called = true; return nil })
		if !errors.Is(err, context.Canceled) || called {
			t.Fatalf("workers %d: err = %v, called = %v; want context.Canceled and no call", workers, err, called)
		}
	}
	if err := RunState(ctx, 2, 0, func() int { return 0 }, func(context.Context, int, int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("no items: err = %v, want context.Canceled", err)
	}
}

func TestForVisitsEveryIndexOnce(t *testing.T) {
	for _, workers := range []int{-1, 0, 1, 2, 7} {
		for _, n := range []int{0, 1, 5, 300} {
			seen := make([]int32, n)
			For(workers, n, func(i int) { atomic.AddInt32(&seen[i], 1) })
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("workers %d, n %d: index %d visited %d times", workers, n, i, c)
				}
			}
		}
	}
}
