package workpool

import (
	"context"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// RunState is Run for work that needs per-goroutine state, such as
// buffers reused from item to item: it starts min(workers, n) goroutines
// (at least one; with one, fn runs on the caller's goroutine), each of
// which calls newState once and then takes the next index in [0, n) and
// calls fn(ctx, state, i) until none is left. It stops taking items at the
// first error or when ctx is done, waits for the running ones, and returns
// the first error (ctx's error when it was cancelled first). fn sees a
// context that is cancelled when another item fails.
//
// Which goroutine, hence which state, serves an item is not fixed, so fn's
// result must not depend on what the state holds when it is called.
func RunState[S any](ctx context.Context, workers, n int, newState func() S, fn func(ctx context.Context, s S, i int) error) error {
	if n <= 0 {
		return ctx.Err()
	}
	workers = max(1, min(workers, n))
	if workers == 1 {
		s := newState()
		for i := 0; i < n; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(ctx, s, i); err != nil {
				return err
			}
		}
		return ctx.Err()
	}
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	for range workers {
		g.Go(func() error {
			s := newState()
			for gctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return nil
				}
				if err := fn(gctx, s, i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// For calls fn(i) for every i in [0, n) on at most workers goroutines and
// returns when every call has returned. It is RunState for items that
// cannot fail and need no state: no goroutine is started per item, so it
// suits many small items, and with one worker (or one item) fn runs on the
// caller's goroutine.
func For(workers, n int, fn func(i int)) {
	_ = RunState(context.Background(), workers, n, func() struct{} { return struct{}{} },
		func(_ context.Context, _ struct{}, i int) error {
			fn(i)
			return nil
		})
}
