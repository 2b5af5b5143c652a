package bench

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"appbench/resultfmt"
)

// Selection is what a report takes from a results folder: the results of
// the current version of each experiment, read against the experiment copy
// that Run keeps in the folder (ExperimentPath).
type Selection struct {
	// Results are the results that match a cell of their experiment's
	// copy (same id and configuration hash), carrying that cell's method,
	// sweep point and repetition. The results of an experiment without a
	// readable copy are all kept as they are.
	Results []*resultfmt.Result
	// Stale are the results that match no cell of their experiment's
	// copy: left by an earlier version of the experiment.
	Stale []*resultfmt.Result
	// Expected holds a placeholder result (no metrics) for each cell the
	// copies expand to.
	Expected []*resultfmt.Result
	// Notes tell about stale results, missing cells, shards and missing or
	// unreadable copies.
	Notes []string
}

// maxListed bounds the file names a note lists.
const maxListed = 10

// Select sorts the results rs read from dir (resultfmt.ReadResults) into current and
// stale ones using the experiment copies of dir, and lists the cells the
// experiments expect. A copy is expanded without touching its data
// (LoadOptions.NoData), so a folder copied to another machine reports the
// same.
func Select(dir string, rs []*resultfmt.Result) (*Selection, error) {
	byExp := make(map[string][]*resultfmt.Result)
	for _, r := range rs {
		byExp[r.Experiment] = append(byExp[r.Experiment], r)
	}
	s := &Selection{}
	for _, name := range sortedNames(byExp) {
		if err := s.add(dir, name, byExp[name]); err != nil {
			return nil, err
		}
	}
	resultfmt.Sort(s.Results)
	resultfmt.Sort(s.Stale)
	return s, nil
}

// add selects the results of one experiment.
func (s *Selection) add(dir, name string, rs []*resultfmt.Result) error {
	x, err := loadCopy(dir, name, resultGroups(rs))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: cannot read the experiment copy: %v; its results are reported as they are", name, err))
		} else {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: no experiment copy %s in the folder; its results are reported as they are", name, filepath.Base(ExperimentPath(dir, name))))
		}
		s.Results = append(s.Results, rs...)
		return nil
	}
	byHash := make(map[string]*Cell, len(x.Cells))
	for _, c := range x.Cells {
		byHash[c.Hash] = c
	}
	have := make(map[string]bool)
	var stale []string
	for _, r := range rs {
		c := byHash[r.ConfigHash]
		if c == nil || c.ID != r.ID {
			s.Stale = append(s.Stale, r)
			stale = append(stale, r.ID+resultfmt.ResultSuffix)
			continue
		}
		have[c.ID] = true
		s.Results = append(s.Results, asCell(r, c))
	}
	if len(stale) > 0 {
		sort.Strings(stale)
		s.Notes = append(s.Notes, fmt.Sprintf("%s: %s from an earlier version of the experiment ignored (--all includes them): %s",
			name, plural(len(stale), "cell"), listSome(stale)))
	}
	s.expect(x, have)
	return nil
}

// expect adds the placeholders of x's cells and a note on the cells
// missing, which says so when they are exactly those of some shards.
func (s *Selection) expect(x *Experiment, have map[string]bool) {
	cells, name := x.Cells, x.Config.Name
	if len(have) < len(cells) {
		if n, shards := shardsPresent(cells, have); n > 0 {
			var names []string
			for _, i := range shards {
				names = append(names, Shard{Index: i, Count: n}.String())
			}
			s.Notes = append(s.Notes, fmt.Sprintf("%s: shard results: %d of %d cells present, exactly those of %s %s (run the other shards into this folder for the whole table)",
				name, len(have), len(cells), pluralWord(len(shards), "shard"), strings.Join(names, ", ")))
		} else {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: %d of %d cells present (run unfinished, cells failed, or shards missing?)", name, len(have), len(cells)))
		}
	}
	for _, c := range cells {
		s.Expected = append(s.Expected, c.Placeholder())
	}
}

// Placeholder returns a result without metrics standing for cell c: its
// id, hash, experiment, method, sweep point and repetition.
func (c *Cell) Placeholder() *resultfmt.Result {
	return asCell(&resultfmt.Result{Schema: resultfmt.ResultSchema, ID: c.ID, ConfigHash: c.Hash, MethodName: c.MethodName}, c)
}

// loadCopy expands the experiment copy of the named experiment in dir.
// groups are the held-out groups of its group splits (LoadOptions.Groups).
func loadCopy(dir, name string, groups map[string][]string) (*Experiment, error) {
	path := ExperimentPath(dir, name)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return LoadWith(path, dir, src, LoadOptions{NoData: true, Name: name, Groups: groups})
}

// resultGroups returns the held-out groups of the results of group
// splits, by group_by: a copy expanded without its data has its group
// cells from them.
func resultGroups(rs []*resultfmt.Result) map[string][]string {
	out := make(map[string][]string)
	for _, r := range rs {
		if r.Group != "" && !slices.Contains(out[r.Dataset.GroupBy], r.Group) {
			out[r.Dataset.GroupBy] = append(out[r.Dataset.GroupBy], r.Group)
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// asCell returns a copy of r with the experiment, method, sweep point and
// repetition of cell c.
func asCell(r *resultfmt.Result, c *Cell) *resultfmt.Result {
	o := *r
	o.Experiment, o.Method, o.MethodIndex, o.PointIndex, o.Point = c.Config.Name, c.Method, c.MethodIndex, c.PointIndex, c.Point
	o.Repeat, o.Seed, o.Fold, o.Group = c.Repeat, c.Seed, c.Fold, c.Group
	return &o
}

// shardsPresent tells whether the cells present are exactly those of some
// shards: it returns the smallest shard count n (each shard holding at
// least two cells) and the shard numbers, or 0.
func shardsPresent(cells []*Cell, have map[string]bool) (int, []int) {
	for n := 2; n <= len(cells)/2; n++ {
		in := make([]bool, n)
		for _, c := range cells {
			if have[c.ID] {
				in[c.Index%n] = true
			}
		}
		var shards []int
		for i, ok := range in {
			if ok {
				shards = append(shards, i)
			}
		}
		if len(shards) == 0 || len(shards) == n {
			continue
		}
		exact := true
		for _, c := range cells {
			if in[c.Index%n] != have[c.ID] {
				exact = false
				break
			}
		}
		if exact {
			return n, shards
		}
	}
	return 0, nil
}

func sortedNames(m map[string][]*resultfmt.Result) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// plural returns "1 cell" or "n cells".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// pluralWord returns word, or its plural for n != 1.
func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// listSome joins the first maxListed names, saying how many more there
// are.
func listSome(names []string) string {
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxListed], ", "), len(names)-maxListed)
}
