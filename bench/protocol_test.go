package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"appbench/resultfmt"
)

const protocolConfig = `name: protocol
dataset:
  kind: synth
  synth: {apps: 3, captures_per_app: 6, duration: 2m}
  window: 30s
%s
methods:
  - name: majority
repeats: 2
`

// testCaptures returns, per cell, the captures its test side holds.
func testCaptures(t *testing.T, x *Experiment) map[*Cell]map[string]bool {
	t.Helper()
	cache := newDataCache(x.Cells, nil)
	out := make(map[*Cell]map[string]bool)
	for _, c := range x.Cells {
		d, err := cache.get(context.Background(), c, 1)
		if err != nil {
			t.Fatal(err)
		}
		cd, err := samples(d, c)
		if err != nil {
			t.Fatal(err)
		}
		out[c] = make(map[string]bool)
		train := make(map[string]bool)
		for _, ch := range cd.trainC {
			train[ch.Capture] = true
		}
		for _, ch := range cd.testC {
			if train[ch.Capture] {
				t.Errorf("cell %s: capture %s on both sides", c.ID, ch.Capture)
			}
			out[c][ch.Capture] = true
		}
	}
	return out
}

func TestKFoldCellsTestEachCaptureOnce(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(protocolConfig, "  split: kfold\n  folds: 3"))
	if len(x.Cells) != 6 {
		t.Fatalf("%d cells, want repeats x folds = 6", len(x.Cells))
	}
	ids := make(map[string]bool)
	for _, c := range x.Cells {
		ids[c.ID] = true
	}
	if len(ids) != 6 {
		t.Fatalf("cell ids repeat: %v", ids)
	}
	tested := make(map[uint64]map[string]int)
	for c, caps := range testCaptures(t, x) {
		if c.Fold < 1 || c.Fold > 3 {
			t.Fatalf("fold %d", c.Fold)
		}
		if tested[c.Seed] == nil {
			tested[c.Seed] = make(map[string]int)
		}
		for cp := range caps {
			tested[c.Seed][cp]++
		}
	}
	for seed, n := range tested {
		if len(n) != 18 {
			t.Errorf("seed %d: %d captures tested, want all 18", seed, len(n))
		}
		for cp, k := range n {
			if k != 1 {
				t.Errorf("seed %d: capture %s tested in %d folds", seed, cp, k)
			}
		}
	}
}

func TestGroupSplitHoldsOutEachGroup(t *testing.T) {
	// Synthetic captures are <app>/<app>_<k>.pcap: group odd and even k.
	x := loadFixture(t, fmt.Sprintf(protocolConfig, `  split: group
  group_by: 'path:_([135])\.pcap$|_[246]\.pcap$'`))
	var groups []string
	for _, c := range x.Cells {
		if !slices.Contains(groups, c.Group) {
			groups = append(groups, c.Group)
		}
	}
	// The second alternative has no parenthesised group: its whole match
	// is the group.
	want := []string{"1", "3", "5", "_2.pcap", "_4.pcap", "_6.pcap"}
	if !slices.Equal(groups, want) {
		t.Fatalf("groups %v, want %v", groups, want)
	}
	for c, caps := range testCaptures(t, x) {
		if len(caps) != 3 {
			t.Errorf("group %s: %d test captures, want one per app", c.Group, len(caps))
		}
		for cp := range caps {
			if !strings.Contains(cp, "_"+strings.TrimSuffix(strings.TrimPrefix(c.Group, "_"), ".pcap")+".pcap") {
				t.Errorf("group %s tests capture %s", c.Group, cp)
			}
		}
	}
}

func TestGroupSplitErrors(t *testing.T) {
	for _, tc := range []struct{ split, want string }{
		{"  split: group", "split group needs group_by"},
		{"  split: group\n  group_by: 'path:nomatch'", "does not match"},
		{"  split: group\n  group_by: 'path:(['", "regular expression"},
		{"  split: group\n  group_by: 'column:device'", "no column \"device\""},
		{"  split: group\n  group_by: 'path:(pcap)'", "at least two groups"},
		{"  split: kfold\n  test_fraction: 0.3", "takes no test_fraction"},
		{"  split: random\n  folds: 3", "folds only apply to split kfold"},
		{"  split: kfold\n  folds: 1", "at least 2 folds"},
	} {
		dir := t.TempDir()
		_, err := LoadFile(writeConfig(t, dir, "x.yaml", fmt.Sprintf(protocolConfig, tc.split)))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "x.yaml:") {
			t.Errorf("%q: error %v, want one placed in x.yaml saying %q", tc.split, err, tc.want)
		}
	}
}

func TestTimeSplitTestsLatestCaptures(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(protocolConfig, "  split: time\n  test_fraction: 0.34"))
	d, err := newDataCache(x.Cells, nil).get(context.Background(), x.Cells[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	cd, err := samples(d, x.Cells[0])
	if err != nil {
		t.Fatal(err)
	}
	first := make(map[string]float64)
	for _, ch := range append(slices.Clone(cd.trainC), cd.testC...) {
		if f, ok := first[ch.Capture]; !ok || ch.Start < f {
			first[ch.Capture] = ch.Start
		}
	}
	tested := make(map[string]int)
	for _, te := range cd.testC {
		tested[te.App+" "+te.Capture]++
		for _, tr := range cd.trainC {
			if tr.App == te.App && first[tr.Capture] > first[te.Capture] {
				t.Fatalf("training capture %s starts after test capture %s", tr.Capture, te.Capture)
			}
		}
	}
	// 6 captures per app, 6 - int(6 * 0.66) = 3 tested.
	if len(tested) != 9 {
		t.Errorf("%d test captures, want 3 per app: %v", len(tested), tested)
	}
}

func TestDefaultSplitIDsUnchanged(t *testing.T) {
	// The fold, group, folds and group_by fields stay out of the hashes
	// of the other splits, so that their cell ids do not change.
	x := loadFixture(t, fmt.Sprintf(protocolConfig, "  split: capture"))
	c := x.Cells[0]
	b, err := json.Marshal(cellKey{Dataset: c.Config.Dataset.key(), Task: c.Config.Task, Method: "majority", Seed: c.Seed})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"fold", "group"} {
		if strings.Contains(string(b), k) {
			t.Errorf("cell key %s mentions %s", b, k)
		}
	}
}

func TestGroupSplitByManifestColumn(t *testing.T) {
	root := corpusFixture(t)
	var b strings.Builder
	b.WriteString("path,label,device\n")
	for _, app := range []string{"maps", "music", "news", "video"} {
		for k := 1; k <= 3; k++ {
			fmt.Fprintf(&b, "%s/%s_%d.csv,%s,phone%d\n", app, app, k, app, k%2)
		}
	}
	manifest := writeConfig(t, root, "manifest.csv", b.String())
	x := loadFixture(t, fmt.Sprintf(`dataset:
  kind: corpus
  path: %s
  window: 2m
  split: group
  group_by: column:device
methods:
  - name: majority
`, manifest))
	if len(x.Cells) != 2 || x.Cells[0].Group != "phone0" || x.Cells[1].Group != "phone1" {
		t.Fatalf("cells %d, groups %q %q", len(x.Cells), x.Cells[0].Group, x.Cells[1].Group)
	}
	for c, caps := range testCaptures(t, x) {
		for cp := range caps {
			k := cp[len(cp)-5 : len(cp)-4]
			if want := map[string]string{"1": "phone1", "2": "phone0", "3": "phone1"}[k]; want != c.Group {
				t.Errorf("group %s tests capture %s (of %s)", c.Group, cp, want)
			}
		}
		if len(caps) == 0 {
			t.Errorf("group %s tests nothing", c.Group)
		}
	}
}

func TestGroupSplitRunAndSelect(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(protocolConfig, "  split: group\n  group_by: 'path:_(\\d)\\.pcap$'"))
	dir := t.TempDir()
	sum, err := Run(context.Background(), x, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Ran != 12 {
		t.Fatalf("ran %d cells, want 2 repeats x 6 groups", sum.Ran)
	}
	rs, err := resultfmt.ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := Select(dir, rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Results) != 12 || len(sel.Stale) != 0 || len(sel.Expected) != 12 || len(sel.Notes) != 0 {
		t.Errorf("selection: %d current, %d stale, %d expected, notes %q", len(sel.Results), len(sel.Stale), len(sel.Expected), sel.Notes)
	}
	for _, r := range sel.Results {
		if r.Group == "" || r.Dataset.GroupBy == "" {
			t.Errorf("result %s lacks its group", r.ID)
		}
	}
}

func TestTrainFractionSubsamplesTraining(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(protocolConfig, `  split: capture
sweep:
  - param: dataset.train_fraction
    values: [0.25, 0.5, 1]`))
	full := loadFixture(t, fmt.Sprintf(protocolConfig, "  split: capture"))
	if x.Cells[4].Hash != full.Cells[0].Hash || x.Cells[5].Hash != full.Cells[1].Hash {
		t.Errorf("train_fraction 1 changed the cell hash")
	}
	cache := newDataCache(x.Cells, nil)
	train := make(map[float64][]int)
	var test []int
	for _, c := range x.Cells {
		d, err := cache.get(context.Background(), c, 1)
		if err != nil {
			t.Fatal(err)
		}
		cd, err := samples(d, c)
		if err != nil {
			t.Fatal(err)
		}
		train[c.Config.Dataset.TrainFraction] = append(train[c.Config.Dataset.TrainFraction], len(cd.trainC))
		test = append(test, len(cd.testC))
	}
	for r := 0; r < 2; r++ {
		if !(train[0.25][r] < train[0.5][r] && train[0.5][r] < train[1][r]) {
			t.Errorf("repeat %d: training sizes %v %v %v do not grow with the fraction", r, train[0.25][r], train[0.5][r], train[1][r])
		}
		if test[r] != test[r+2] || test[r] != test[r+4] {
			t.Errorf("the test side changed with the training fraction: %v", test)
		}
	}
	_, err := LoadFile(writeConfig(t, t.TempDir(), "x.yaml", fmt.Sprintf(protocolConfig, "  train_fraction: 0")))
	if err == nil || !strings.Contains(err.Error(), "train_fraction") || !strings.Contains(err.Error(), "x.yaml:") {
		t.Errorf("train_fraction 0: %v", err)
	}
}

func TestGroupSplitNotesUntrainedApp(t *testing.T) {
	// Group by app: holding out a group leaves its app without training.
	x := loadFixture(t, fmt.Sprintf(protocolConfig, "  split: group\n  group_by: 'path:^([^/]+)/'"))
	d, err := newDataCache(x.Cells, nil).get(context.Background(), x.Cells[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	cd, err := samples(d, x.Cells[0])
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range cd.notes {
		found = found || strings.Contains(n, "app "+x.Cells[0].Group+" has no training sample") && strings.Contains(n, "group "+x.Cells[0].Group)
	}
	if !found {
		t.Errorf("no note on the app without training samples: %q", cd.notes)
	}
}
