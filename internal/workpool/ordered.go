package workpool

import (
	"context"
	"sync"
)

// Ordered calls produce(ctx, i) for every i in [0, n) on at most workers
// goroutines (at least one) and hands each result to consume on the
// caller's goroutine, one at a time and in index order, so that what
// consume builds does not depend on the number of workers. At most workers
// results are produced or waiting besides the one consume is given: item
// i starts only once the result of item i-workers has been taken.
//
// It stops at the first error in index order — an error of produce is
// returned when its turn comes, after the results before it were consumed
// — or the first error of consume, or when ctx is done (checked before
// every consume); it then cancels the context produce sees, waits for the
// running items and returns that error.
func Ordered[T any](ctx context.Context, workers, n int, produce func(ctx context.Context, i int) (T, error), consume func(i int, v T) error) error {
	workers = max(1, workers)
	if workers == 1 || n <= 1 {
		return orderedSerial(ctx, n, produce, consume)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	type result struct {
		v   T
		err error
	}
	slots := make([]chan result, n)
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	tokens := make(chan struct{}, workers) // one per item started and not yet taken
	next := make(chan int)
	wg.Go(func() {
		defer close(next)
		for i := range n {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				v, err := produce(ctx, i)
				slots[i] <- result{v, err}
			}
		})
	}
	for i := range n {
		var r result
		select {
		case r = <-slots[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-tokens
		if r.err != nil {
			return r.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := consume(i, r.v); err != nil {
			return err
		}
	}
	return nil
}

// orderedSerial is Ordered with one worker, on the caller's goroutine.
func orderedSerial[T any](ctx context.Context, n int, produce func(ctx context.Context, i int) (T, error), consume func(i int, v T) error) error {
	for i := range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := produce(ctx, i)
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := consume(i, v); err != nil {
			return err
		}
	}
	return nil
}
