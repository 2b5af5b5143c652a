package workpool

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestOrderedConsumesEveryResultInOrder(t *testing.T) {
	for _, workers := range []int{-1, 0, 1, 3, 50} {
		for _, n := range []int{0, 1, 2, 5, 200} {
			var consumed atomic.Int64
			var got []int
			err := Ordered(context.Background(), workers, n, func(_ context.Context, i int) (int, error) {
				if ahead := int64(i) - consumed.Load(); ahead > int64(max(1, workers)) {
					t.Errorf("workers %d: item %d started %d items ahead of the consumer", workers, i, ahead)
				}
				return i * i, nil
			}, func(i, v int) error {
				consumed.Add(1)
				if v != i*i {
					t.Errorf("workers %d: item %d got %d, want %d", workers, i, v, i*i)
				}
				got = append(got, i)
				return nil
			})
			if err != nil {
				t.Fatalf("workers %d, n %d: %v", workers, n, err)
			}
			if len(got) != n {
				t.Fatalf("workers %d, n %d: %d results consumed", workers, n, len(got))
			}
			for k, i := range got {
				if i != k {
					t.Fatalf("workers %d, n %d: result %d consumed at position %d", workers, n, i, k)
				}
			}
		}
	}
}

func TestOrderedReturnsAProduceErrorInItsTurn(t *testing.T) {
	boom := errors.New("boom")
	for _, workers := range []int{1, 4} {
		var calls []int
		err := Ordered(context.Background(), workers, 50, func(_ context.Context, i int) (int, error) {
			if i == 7 {
				return 0, boom
			}
			return i, nil
		}, func(i, _ int) error {
			calls = append(calls, i)
			return nil
		})
		if !errors.Is(err, boom) {
			t.Fatalf("workers %d: err = %v, want boom", workers, err)
		}
		if len(calls) != 7 || calls[6] != 6 {
			t.Fatalf("workers %d: consumed %v, want the items 0 to 6", workers, calls)
		}
	}
}

func TestOrderedStopsAtAConsumeError(t *testing.T) {
	boom := errors.New("boom")
	for _, workers := range []int{1, 3} {
		var calls atomic.Int32
		err := Ordered(context.Background(), workers, 100, func(_ context.Context, i int) (int, error) {
			return i, nil
		}, func(i, _ int) error {
			calls.Add(1)
			if i == 2 {
				return boom
			}
			return nil
		})
		if !errors.Is(err, boom) || calls.Load() != 3 {
			t.Fatalf("workers %d: err = %v after %d calls; want boom after 3", workers, err, calls.Load())
		}
	}
}

func TestOrderedReportsCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, workers := range []int{1, 4} {
		called := false
		err := Ordered(ctx, workers, 10, func(context.Context, int) (int, error) { return 0, nil },
			func(int, int) error { called = true; return nil })
		if !errors.Is(err, context.Canceled) || called {
			t.Fatalf("workers %d: err = %v, consume called %v; want context.Canceled and no call", workers, err, called)
		}
	}
}
