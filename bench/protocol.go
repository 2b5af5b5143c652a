package bench

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"appbench/datasets"
	"appbench/resultfmt"
)

// groupBy is a parsed Dataset.GroupBy: a manifest column or a regular
// expression on the capture name.
type groupBy struct {
	column string
	re     *regexp.Regexp
}

// parseGroupBy parses "column:NAME" or "path:REGEXP".
func parseGroupBy(s string) (groupBy, error) {
	kind, arg, ok := strings.Cut(s, ":")
	switch {
	case ok && kind == "column" && arg != "":
		return groupBy{column: arg}, nil
	case ok && kind == "path" && arg != "":
		re, err := regexp.Compile(arg)
		if err != nil {
			return groupBy{}, fmt.Errorf("regular expression %q: %v", arg, err)
		}
		return groupBy{re: re}, nil
	}
	return groupBy{}, fmt.Errorf("%q: want column:NAME (a manifest column) or path:REGEXP (on the capture path)", s)
}

// of returns the group of capture s.
func (g groupBy) of(s *source) (string, error) {
	if g.re != nil {
		m := g.re.FindStringSubmatch(s.name)
		switch {
		case m == nil:
			return "", fmt.Errorf("capture %s does not match %s", s.name, g.re)
		case len(m) > 1 && m[1] != "":
			return m[1], nil
		case m[0] != "":
			return m[0], nil
		}
		return "", fmt.Errorf("capture %s: %s matches an empty string", s.name, g.re)
	}
	if s.extra == nil {
		return "", fmt.Errorf("capture %s has no column %q: columns come from a manifest CSV (dataset.path a manifest with path, label, %s columns)", s.name, g.column, g.column)
	}
	v, ok := s.extra[g.column]
	if !ok {
		return "", fmt.Errorf("the manifest has no column %q (columns: %s)", g.column, strings.Join(sortedKeys(s.extra), ", "))
	}
	if v == "" {
		return "", fmt.Errorf("capture %s has an empty %s", s.name, g.column)
	}
	return v, nil
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// captureGroups returns the group of each capture of srcs whose app is in
// apps, by capture name.
func captureGroups(d *Dataset, srcs []source, apps []string) (map[string]string, error) {
	g, err := parseGroupBy(d.GroupBy)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string)
	for i := range srcs {
		if !slices.Contains(apps, srcs[i].app) {
			continue
		}
		if out[srcs[i].name], err = g.of(&srcs[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// discoverGroups lists the groups of a group split without reading any
// traffic: the captures of the selected apps, grouped by group_by. c is a
// cell of the sweep point (its repetition and group do not matter).
func discoverGroups(c *Cell) ([]string, error) {
	ds := mapValue(c.root, "dataset")
	pk, ok := kinds[c.Config.Dataset.Kind].(packetKind)
	if !ok {
		return nil, posErr(c.file, mapValue(ds, "split"), "dataset.split", "split group needs a packet dataset")
	}
	srcs, _, err := pk.sources(context.Background(), c)
	if err != nil {
		return nil, posErr(c.file, mapValue(ds, "path"), "dataset.path", "%w", err)
	}
	var have []string
	for _, s := range srcs {
		have = append(have, s.app)
	}
	apps, err := selectApps(c, uniqueSorted(have))
	if err != nil {
		return nil, posErr(c.file, ds, "dataset", "%w", err)
	}
	byCapture, err := captureGroups(&c.Config.Dataset, srcs, apps)
	if err != nil {
		return nil, posErr(c.file, mapValue(ds, "group_by"), "dataset.group_by", "%w", err)
	}
	var groups []string
	for _, g := range byCapture {
		groups = append(groups, g)
	}
	groups = uniqueSorted(groups)
	if len(groups) < 2 {
		return nil, posErr(c.file, mapValue(ds, "group_by"), "dataset.group_by", "leave-one-group-out needs at least two groups, the captures form %d (%s)", len(groups), strings.Join(groups, ", "))
	}
	return groups, nil
}

// part is the share of a repetition that one cell tests: a fold of k-fold
// cross-validation (1-based; 0 when the split has no folds) or a held-out
// group.
type part struct {
	fold  int
	group string
}

// parts returns the parts of each repetition of a sweep point: its folds,
// its groups, or the whole repetition. groups are the groups of a group
// split when the data are not read (LoadOptions.Groups).
func (x *Experiment) parts(c *Cell, groups map[string][]string) ([]part, error) {
	d := &c.Config.Dataset
	switch d.Split {
	case resultfmt.SplitKFold:
		out := make([]part, d.Folds)
		for i := range out {
			out[i].fold = i + 1
		}
		return out, nil
	case resultfmt.SplitGroup:
		gs := groups[d.GroupBy]
		if !x.noData {
			var err error
			if gs, err = discoverGroups(c); err != nil {
				return nil, err
			}
		}
		out := make([]part, len(gs))
		for i, g := range gs {
			out[i].group = g
		}
		return out, nil
	}
	return []part{{}}, nil
}

// splitKnown splits the chunks of the known apps for cell c, by its split
// kind.
func splitKnown(c *Cell, v *view, known []datasets.Chunk) (train, test []datasets.Chunk, err error) {
	d := &c.Config.Dataset
	switch d.Split {
	case resultfmt.SplitCapture:
		train, test = datasets.SplitByCapture(known, d.TestFraction, splitSeed(c))
	case resultfmt.SplitKFold:
		train, test = datasets.SplitKFold(known, d.Folds, c.Fold-1, splitSeed(c))
	case resultfmt.SplitTime:
		train, test = datasets.SplitByTime(known, d.TestFraction)
	case resultfmt.SplitGroup:
		groups, err := captureGroups(d, v.srcs, v.apps)
		if err != nil {
			return nil, nil, fmt.Errorf("dataset.group_by: %w", err)
		}
		train, test = datasets.SplitHeldOut(known, func(capture string) bool { return groups[capture] == c.Group })
	default:
		train, test = datasets.SplitRandom(known, d.TestFraction, splitSeed(c))
	}
	return train, test, nil
}
