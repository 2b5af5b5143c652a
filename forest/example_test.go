package forest_test

import (
	"context"
	"fmt"

	"appbench/forest"
)

func Example() {
	// Two features; class 1 when the first is large.
	X := []float64{
		1, 5,
		2, 3,
		3, 4,
		10, 5,
		11, 3,
		12, 4,
	}
	y := []int{0, 0, 0, 1, 1, 1}
	f, err := forest.Fit(context.Background(), X, 6, 2, y, 2, forest.Options{Trees: 25, Seed: 1})
	if err != nil {
		panic(err)
	}
	labels, conf, err := f.Predict([]float64{0, 4, 20, 4}, 2, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(labels, conf[0] > 0.5, conf[1] > 0.5)
	// Output: [0 1] true true
}
