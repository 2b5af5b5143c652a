package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"appbench/datasets"
)

// corpusKind is a labeled corpus of capture or packet-CSV files on disk.
type corpusKind struct{}

func (corpusKind) apps(c *Cell) ([]string, error) {
	ds := mapValue(c.root, "dataset")
	var apps []string
	for i, root := range corpusRoots(c) {
		corpus, err := datasets.LoadCorpus(root)
		if err != nil {
			key, n := "dataset.path", mapValue(ds, "path")
			if i > 0 {
				key, n = fmt.Sprintf("dataset.also[%d]", i-1), mapValue(ds, "also")
			}
			return nil, posErr(c.file, n, key, "%w", err)
		}
		if c.Config.Dataset.Strict && len(corpus.Notes) > 0 {
			return nil, posErr(c.file, mapValue(ds, "strict"), "dataset.strict", "%w", skipsError(root, corpus.Notes))
		}
		apps = append(apps, corpus.Apps()...)
	}
	return uniqueSorted(apps), nil
}

// sources lists the captures of the corpus at dataset.path and of those of
// dataset.also; a capture name found twice is an error.
func (corpusKind) sources(_ context.Context, c *Cell) ([]source, []string, error) {
	var out []source
	var notes []string
	from := make(map[string]string) // capture name -> its corpus
	for _, root := range corpusRoots(c) {
		srcs, ns, err := corpusSources(root, c.Config.Dataset.Strict)
		if err != nil {
			return nil, nil, err
		}
		for _, s := range srcs {
			if other, dup := from[s.name]; dup {
				return nil, nil, fmt.Errorf("bench: dataset: capture %s is in both %s and %s", s.name, other, root)
			}
			from[s.name] = root
		}
		out, notes = append(out, srcs...), append(notes, ns...)
	}
	return out, notes, nil
}

// corpusRoots returns the corpus folders or manifests of c: dataset.path,
// then dataset.also.
func corpusRoots(c *Cell) []string {
	return append([]string{c.DataPath}, c.AlsoPaths...)
}

// corpusSources lists the captures of a corpus on disk, with the notes of
// the files it skipped (an error when strict). Captures are named by their
// path relative to the corpus folder (or the manifest's folder).
func corpusSources(path string, strict bool) ([]source, []string, error) {
	c, err := loadCorpus(path, strict)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: dataset: %w", err)
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
		out[i] = source{app: ref.Label, name: name, path: p, extra: ref.Extra, packets: func() ([]datasets.Packet, error) {
			return datasets.ReadCapturePartial(p)
		}}
	}
	return out, c.Notes, nil
}

// loadCorpus is datasets.LoadCorpus that, when strict, makes the files the
// corpus skips an error.
func loadCorpus(path string, strict bool) (*datasets.Corpus, error) {
	c, err := datasets.LoadCorpus(path)
	if err == nil && strict && len(c.Notes) > 0 {
		return nil, skipsError(path, c.Notes)
	}
	return c, err
}

// skipsError is the error of a strict corpus that skips files.
func skipsError(path string, notes []string) error {
	return fmt.Errorf("corpus %s skips %d files, an error with strict: true:\n  %s", path, len(notes), strings.Join(notes, "\n  "))
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
