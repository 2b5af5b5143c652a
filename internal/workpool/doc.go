// Package workpool runs indexed work items on a bounded number of
// goroutines. It is the one worker pool of the module: callers give the
// number of items and a function of the item index, and get the first error
// (the other items are then cancelled through the context). Ordered is
// the same for results that must be used one at a time in index order.
package workpool
