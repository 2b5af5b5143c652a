package forest

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
)

// modelFormat names the gob envelope of a saved forest and FormatVersion
// its layout; Load refuses other formats and versions.
const (
	modelFormat = "appbench/forest"
	// FormatVersion is the version of the saved-model layout written by
	// Save. Version 2 added PureLeaf nodes; version 1 files, whose leaves
	// are all in the leaf tables, are still read.
	FormatVersion = 2
)

// ErrModel is wrapped by every error about a damaged or foreign model file.
var ErrModel = errors.New("invalid forest model")

type envelope struct {
	Format  string
	Version int
	Forest  *Forest
}

// Save writes the forest to w (encoding/gob, versioned).
func (f *Forest) Save(w io.Writer) error {
	if err := gob.NewEncoder(w).Encode(envelope{Format: modelFormat, Version: FormatVersion, Forest: f}); err != nil {
		return fmt.Errorf("forest: save: %w", err)
	}
	return nil
}

// Load reads a forest written by Save and checks its structure, so that a
// damaged file gives an error rather than a panic or an endless loop at
// prediction time.
func Load(r io.Reader) (*Forest, error) {
	var e envelope
	if err := gob.NewDecoder(r).Decode(&e); err != nil {
		return nil, fmt.Errorf("forest: load: %w (%w)", err, ErrModel)
	}
	if e.Format != modelFormat {
		return nil, fmt.Errorf("forest: load: format %q, want %q: %w", e.Format, modelFormat, ErrModel)
	}
	if e.Version != FormatVersion && e.Version != 1 {
		return nil, fmt.Errorf("forest: load: format version %d, this build reads %d: %w", e.Version, FormatVersion, ErrModel)
	}
	if e.Forest == nil {
		return nil, fmt.Errorf("forest: load: no forest in file: %w", ErrModel)
	}
	if err := e.Forest.validate(); err != nil {
		return nil, fmt.Errorf("forest: load: %w", err)
	}
	return e.Forest, nil
}

// validate checks the invariants prediction relies on: children after
// their parent (so walks end), indices in range, probabilities finite.
func (f *Forest) validate() error {
	if f.Classes <= 0 || f.Features <= 0 || len(f.Trees) == 0 {
		return fmt.Errorf("%d classes, %d features, %d trees: %w", f.Classes, f.Features, len(f.Trees), ErrModel)
	}
	for ti := range f.Trees {
		t := &f.Trees[ti]
		leaves := len(t.LeafStart) - 1
		if leaves < 0 || len(t.Nodes) == 0 || t.LeafStart[0] != 0 ||
			int(t.LeafStart[leaves]) != len(t.LeafClass) || len(t.LeafClass) != len(t.LeafProb) {
			return fmt.Errorf("tree %d: inconsistent leaf tables: %w", ti, ErrModel)
		}
		for l := 0; l < leaves; l++ {
			if t.LeafStart[l] > t.LeafStart[l+1] {
				return fmt.Errorf("tree %d, leaf %d: decreasing offsets: %w", ti, l, ErrModel)
			}
		}
		for k, c := range t.LeafClass {
			p := t.LeafProb[k]
			if c < 0 || int(c) >= f.Classes || !(p >= 0 && p <= 1) {
				return fmt.Errorf("tree %d: leaf entry %d: class %d, probability %v: %w", ti, k, c, p, ErrModel)
			}
		}
		n := int32(len(t.Nodes))
		for i, nd := range t.Nodes {
			if nd.Feature == PureLeaf {
				if nd.Right < 0 || int(nd.Right) >= f.Classes {
					return fmt.Errorf("tree %d, node %d: leaf class %d of %d: %w", ti, i, nd.Right, f.Classes, ErrModel)
				}
				continue
			}
			if nd.Feature < 0 {
				if l := -1 - nd.Feature; int(l) >= leaves {
					return fmt.Errorf("tree %d, node %d: leaf %d of %d: %w", ti, i, l, leaves, ErrModel)
				}
				continue
			}
			if int(nd.Feature) >= f.Features || int32(i)+1 >= n || nd.Right <= int32(i)+1 || nd.Right >= n {
				return fmt.Errorf("tree %d, node %d: feature %d, right child %d of %d nodes: %w", ti, i, nd.Feature, nd.Right, n, ErrModel)
			}
		}
	}
	return nil
}
