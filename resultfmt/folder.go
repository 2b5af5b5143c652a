package resultfmt

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ResultPath returns the file of cell id in dir.
func ResultPath(dir, id string) string { return filepath.Join(dir, id+ResultSuffix) }

// WriteResult stores r in dir atomically: it writes a temporary file in the
// same folder, syncs it and renames it over the final name, so a crash
// leaves either no file or a complete one.
func WriteResult(dir string, r *Result) error {
	b, err := encodeResult(r)
	if err != nil {
		return err
	}
	return WriteFile(ResultPath(dir, r.ID), b)
}

// encodeResult gives the text of r's result file.
func encodeResult(r *Result) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("resultfmt: encode result %s: %w", r.ID, err)
	}
	return append(b, '\n'), nil
}

// ReadResult reads one result file.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("resultfmt: %w", err)
	}
	return decodeResult(path, b)
}

// decodeResult parses the text b of the result file at path.
func decodeResult(path string, b []byte) (*Result, error) {
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("resultfmt: %s: %w", path, err)
	}
	if r.Schema != ResultSchema {
		return nil, fmt.Errorf("resultfmt: %s: result schema %d, this build reads %d", path, r.Schema, ResultSchema)
	}
	if r.ID == "" || !strings.HasSuffix(path, r.ID+ResultSuffix) {
		return nil, fmt.Errorf("resultfmt: %s: file name does not match its cell id %q", path, r.ID)
	}
	return &r, nil
}

// ReadResults reads every result file of dir (leaving out temporary
// files, see TempPrefix), sorted by Sort.
func ReadResults(dir string) ([]*Result, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("resultfmt: results: %w", err)
	}
	var out []*Result
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ResultSuffix) || strings.HasPrefix(e.Name(), TempPrefix) {
			continue
		}
		r, err := ReadResult(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	Sort(out)
	return out, nil
}

// Sort orders results by experiment, method index, point index,
// repetition, fold, group and id; it is stable.
func Sort(rs []*Result) {
	slices.SortStableFunc(rs, func(a, b *Result) int {
		return cmp.Or(
			cmp.Compare(a.Experiment, b.Experiment),
			cmp.Compare(a.MethodIndex, b.MethodIndex),
			cmp.Compare(a.PointIndex, b.PointIndex),
			cmp.Compare(a.Repeat, b.Repeat),
			cmp.Compare(a.Fold, b.Fold),
			cmp.Compare(a.Group, b.Group),
			cmp.Compare(a.ID, b.ID),
		)
	})
}
