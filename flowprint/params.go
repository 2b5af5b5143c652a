package flowprint

import (
	"errors"
	"fmt"
	"math"
)

// Params are FlowPrint's fingerprinting parameters.
type Params struct {
	// Batch is the batch length in seconds (default 300). Batches are
	// equal-width bins over the observed span of flow start times, so
	// their real width is span/ceil(span/Batch) <= Batch (reference
	// behaviour, spec §3.1).
	Batch float64
	// Window is the activity window in seconds (default 30).
	Window float64
	// Correlation is the minimum Jaccard index of two clusters' activity
	// window sets for an edge of the correlation graph (default 0.1);
	// <= 0 makes the graph complete.
	Correlation float64
	// Similarity is the minimum Jaccard index for merging two fingerprints
	// (default 0.9); >= 1 disables merging, <= 0 merges everything.
	Similarity float64
	// MergeBoundExact corrects a reference quirk: the reference compares
	// only fingerprints whose sizes L <= L2 satisfy
	// (L2-L)/L2 <= 1-Similarity in float64, which for 0.9 excludes the
	// ratio exactly 0.9 (1-0.9 = 0.09999999999999998). When true the
	// bound is evaluated with a tolerance of 1e-12, so that a ratio equal
	// to Similarity is compared as the paper intends. Default false
	// (reference).
	MergeBoundExact bool
	// NoNullCertificate corrects a reference quirk: the reference adds a
	// "no certificate" element (NoCertificate) to every cluster holding a
	// flow without certificate, so that fingerprints share it, it counts
	// in sizes and Jaccard scores, and a certificate-less flow whose
	// destination is in no fingerprint inherits the largest fingerprint
	// holding it. When true no such element exists. Default false
	// (reference).
	NoNullCertificate bool
	// FixedBatches corrects a reference quirk: the reference cuts the
	// span of flow start times into ceil(span/Batch) equal-width bins, so
	// batches are shorter than Batch. When true batch k holds the flows
	// starting in [t0 + k*Batch, t0 + (k+1)*Batch), t0 the first start.
	// Default false (reference).
	FixedBatches bool
}

// DefaultParams returns the reference defaults: batch 300 s, window 30 s,
// correlation 0.1, similarity 0.9.
func DefaultParams() Params {
	return Params{Batch: 300, Window: 30, Correlation: 0.1, Similarity: 0.9}
}

// Validate reports parameters the algorithm cannot run with.
func (p Params) Validate() error {
	if !(p.Batch > 0) || math.IsInf(p.Batch, 0) {
		return fmt.Errorf("flowprint: batch %v must be a positive number of seconds", p.Batch)
	}
	if !(p.Window > 0) || math.IsInf(p.Window, 0) {
		return fmt.Errorf("flowprint: window %v must be a positive number of seconds", p.Window)
	}
	if math.IsNaN(p.Correlation) || math.IsNaN(p.Similarity) {
		return errors.New("flowprint: correlation and similarity must be numbers")
	}
	return nil
}
