package bench

import (
	"fmt"
	"os"
	"path/filepath"

	"appbench/datasets"
)

// corpusSources lists the captures of a corpus on disk. Captures are named
// by their path relative to the corpus folder (or the manifest's folder).
func corpusSources(path string) ([]source, error) {
	c, err := datasets.LoadCorpus(path)
	if err != nil {
		return nil, fmt.Errorf("bench: dataset: %w", err)
	}
	base := path
	if !isDir(path) {
		base = filepath.Dir(path)
	}
	out := make([]source, len(c.Captures))
	for i, ref := range c.Captures {
		name := ref.Path
		if rel, err := filepath.Rel(base, ref.Path); err == nil {
			name = filepath.ToSlash(rel)
		}
		p := ref.Path
		out[i] = source{app: ref.Label, name: name, packets: func() ([]datasets.Packet, error) {
			return datasets.ReadFile(p)
		}}
	}
	return out, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
