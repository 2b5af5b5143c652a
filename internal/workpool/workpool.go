package workpool

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Run calls fn(ctx, i) for every i in [0, n), at most workers at a time
// (at least one). It stops starting items at the first error or when ctx is
// done, waits for the running ones, and returns the first error (ctx's
// error when it was cancelled first). fn sees a context that is cancelled
// when another item fails.
func Run(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for i := 0; i < n; i++ {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return fn(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
