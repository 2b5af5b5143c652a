package bench

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"appbench/datasets"
	"appbench/datasets/synth"
	"appbench/mappgraph"
	"appbench/methods"
)

// source is one capture of a packet dataset, read on demand.
type source struct {
	app, name string
	packets   func() ([]datasets.Packet, error)
}

// data is a loaded dataset: chunks for packet datasets, or the given split
// of a graphs dataset. It is shared by the cells with the same dataset
// configuration and never modified after loading.
type data struct {
	apps   []string // selected apps, sorted
	chunks []datasets.Chunk
	trainG map[string][]*mappgraph.Graph
	testG  map[string][]*mappgraph.Graph
}

// loadData loads, selects and chunks the dataset of cell c.
func loadData(ctx context.Context, c *Cell, workers int) (*data, error) {
	d := &c.Config.Dataset
	if d.Kind == KindGraphs {
		return loadGraphs(c)
	}
	var srcs []source
	var err error
	switch d.Kind {
	case KindSynth:
		srcs, err = synthSources(ctx, c.file, &d.Synth)
	case KindCorpus:
		srcs, err = corpusSources(c.DataPath)
	}
	if err != nil {
		return nil, err
	}
	all := make([]string, 0)
	for _, s := range srcs {
		all = append(all, s.app)
	}
	apps, err := selectApps(c, uniqueSorted(all))
	if err != nil {
		return nil, fmt.Errorf("bench: %s: dataset: %w", c.file, err)
	}
	keep := make(map[string]bool, len(apps))
	for _, a := range apps {
		keep[a] = true
	}
	srcs = slices.DeleteFunc(srcs, func(s source) bool { return !keep[s.app] })
	per := make([][]datasets.Chunk, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(workers, 1))
	for i := range srcs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			pkts, err := srcs[i].packets()
			if err != nil {
				errs[i] = fmt.Errorf("bench: dataset %s: %w", srcs[i].name, err)
				return
			}
			per[i] = chunk(srcs[i].app, srcs[i].name, pkts, d)
		}()
	}
	wg.Wait()
	out := &data{apps: apps}
	for i := range srcs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out.chunks = append(out.chunks, per[i]...)
	}
	if len(out.chunks) == 0 {
		return nil, fmt.Errorf("bench: %s: dataset gives no chunks with at least %d packets", c.file, d.MinPackets)
	}
	return out, nil
}

// chunk cuts one capture into chunks (or keeps it whole when the window is
// 0) and drops chunks with fewer than MinPackets packets.
func chunk(app, name string, pkts []datasets.Packet, d *Dataset) []datasets.Chunk {
	var cs []datasets.Chunk
	if d.Window == 0 {
		if len(pkts) > 0 {
			cs = []datasets.Chunk{{App: app, Capture: name, Index: 1,
				Start: pkts[0].Seconds(), Stop: pkts[len(pkts)-1].Seconds(), Packets: pkts}}
		}
	} else {
		cs = datasets.ChunkPackets(app, name, pkts, d.Window, d.Overlap)
	}
	return slices.DeleteFunc(cs, func(c datasets.Chunk) bool { return len(c.Packets) < d.MinPackets })
}

func uniqueSorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return slices.Compact(s)
}

// selectApps applies apps / app_count / apps_list to the dataset's apps.
func selectApps(c *Cell, have []string) ([]string, error) {
	d := &c.Config.Dataset
	switch {
	case len(d.Apps) > 0:
		for _, a := range d.Apps {
			if _, ok := slices.BinarySearch(have, a); !ok {
				return nil, fmt.Errorf("app %q is not in the dataset (%d apps: %s)", a, len(have), abbrev(have))
			}
		}
		return uniqueSorted(d.Apps), nil
	case d.AppCount > 0 && d.AppsList != "":
		list, err := readAppsList(d.AppsList, d.AppCount)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			if _, ok := slices.BinarySearch(have, a); !ok {
				return nil, fmt.Errorf("app %q of %s is not in the dataset", a, d.AppsList)
			}
		}
		return uniqueSorted(list), nil
	case d.AppCount > 0:
		if d.AppCount > len(have) {
			return nil, fmt.Errorf("app_count is %d but the dataset has %d apps", d.AppCount, len(have))
		}
		return have[:d.AppCount], nil
	}
	return have, nil
}

func abbrev(s []string) string {
	if len(s) > 8 {
		return strings.Join(s[:8], ", ") + ", ..."
	}
	return strings.Join(s, ", ")
}

var appsListLine = regexp.MustCompile(`^List of (\d+) apps:\s*(.*)$`)

// readAppsList returns the apps of the "List of n apps:" line of a
// MAppGraph apps_list.txt.
func readAppsList(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bench: apps list: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	line := 0
	for sc.Scan() {
		line++
		m := appsListLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		if k, _ := strconv.Atoi(m[1]); k != n {
			continue
		}
		var apps []string
		for _, f := range strings.Split(m[2], ",") {
			a := strings.Trim(strings.TrimSpace(f), `'"`)
			if a != "" {
				apps = append(apps, a)
			}
		}
		if len(apps) != n {
			return nil, fmt.Errorf("bench: %s:%d: says %d apps but lists %d", path, line, n, len(apps))
		}
		return apps, nil
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", path, err)
	}
	return nil, fmt.Errorf("bench: %s: no line \"List of %d apps:\"", path, n)
}

// unseenApps picks the open-world held-out apps of a repetition.
func unseenApps(c *Cell, apps []string) ([]string, error) {
	t := &c.Config.Task
	if t.Kind != TaskOpen {
		return nil, nil
	}
	if len(t.UnseenApps) > 0 {
		for _, a := range t.UnseenApps {
			if !slices.Contains(apps, a) {
				return nil, fmt.Errorf("unseen app %q is not in the experiment", a)
			}
		}
		if len(uniqueSorted(t.UnseenApps)) >= len(apps) {
			return nil, fmt.Errorf("unseen_apps holds out every app")
		}
		return uniqueSorted(t.UnseenApps), nil
	}
	n := int(math.Round(t.UnseenFraction * float64(len(apps))))
	n = max(1, min(n, len(apps)-1))
	if len(apps) < 2 {
		return nil, fmt.Errorf("the open world needs at least 2 apps")
	}
	r := rand.New(rand.NewPCG(splitSeed(c), 0x756e7365656e)) // "unseen"
	perm := slices.Clone(apps)
	r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	return uniqueSorted(perm[:n]), nil
}

// samples splits loaded data for cell c: training samples of the known
// apps, test samples of the known apps, then every sample of the unseen
// apps (open world).
func samples(d *data, c *Cell) (train, test []methods.Sample, unseen []string, err error) {
	unseen, err = unseenApps(c, d.apps)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("bench: %s: task: %w", c.file, err)
	}
	hidden := make(map[string]bool)
	for _, a := range unseen {
		hidden[a] = true
	}
	if d.trainG != nil {
		var late []methods.Sample
		for _, app := range d.apps {
			for _, g := range d.trainG[app] {
				s := methods.Sample{Label: app, Capture: fmt.Sprintf("%s/train/%d", app, g.ID), Graph: g}
				if hidden[app] {
					late = append(late, s)
				} else {
					train = append(train, s)
				}
			}
		}
		for _, app := range d.apps {
			for _, g := range d.testG[app] {
				s := methods.Sample{Label: app, Capture: fmt.Sprintf("%s/test/%d", app, g.ID), Graph: g}
				if hidden[app] {
					late = append(late, s)
				} else {
					test = append(test, s)
				}
			}
		}
		return train, append(test, late...), unseen, nil
	}
	var known, late []datasets.Chunk
	for _, ch := range d.chunks {
		if hidden[ch.App] {
			late = append(late, ch)
		} else {
			known = append(known, ch)
		}
	}
	var tr, te []datasets.Chunk
	if c.Config.Dataset.Split == SplitCapture {
		tr, te = datasets.SplitByCapture(known, c.Config.Dataset.TestFraction, splitSeed(c))
	} else {
		tr, te = datasets.SplitRandom(known, c.Config.Dataset.TestFraction, splitSeed(c))
	}
	conv := func(cs []datasets.Chunk) []methods.Sample {
		out := make([]methods.Sample, len(cs))
		for i := range cs {
			out[i] = methods.Sample{Label: cs[i].App, Capture: cs[i].Capture, Packets: cs[i].Packets}
		}
		return out
	}
	train, test = conv(tr), conv(append(te, late...))
	if len(train) == 0 || len(test) == 0 {
		return nil, nil, nil, fmt.Errorf("bench: %s: the split leaves %d training and %d test samples", c.file, len(train), len(test))
	}
	return train, test, unseen, nil
}

// dataCache shares loaded datasets between cells and drops each one after
// its last cell.
type dataCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	once sync.Once
	d    *data
	err  error
	refs int
}

func newDataCache(cells []*Cell) *dataCache {
	dc := &dataCache{entries: make(map[string]*cacheEntry)}
	for _, c := range cells {
		e := dc.entries[c.dataKey]
		if e == nil {
			e = &cacheEntry{}
			dc.entries[c.dataKey] = e
		}
		e.refs++
	}
	return dc
}

func (dc *dataCache) get(ctx context.Context, c *Cell, workers int) (*data, error) {
	dc.mu.Lock()
	e := dc.entries[c.dataKey]
	dc.mu.Unlock()
	e.once.Do(func() { e.d, e.err = loadData(ctx, c, workers) })
	return e.d, e.err
}

func (dc *dataCache) release(c *Cell) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	e := dc.entries[c.dataKey]
	e.refs--
	if e.refs == 0 {
		e.d = nil
	}
}

// preflight lists the apps of a cell's dataset without reading any traffic
// (file names for corpora, folder names for graphs, labels for the
// synthetic corpus) and checks the app selection and the open-world
// hold-out against them, so that such mistakes fail before any cell runs.
// A dataset of a single app is a warning.
func (x *Experiment) preflight(c *Cell) error {
	root := c.root
	d := &c.Config.Dataset
	ds := mapValue(root, "dataset")
	var have []string
	switch d.Kind {
	case KindSynth:
		cfg, err := synthConfig(c.file, &d.Synth)
		if err != nil {
			return err
		}
		have = synth.AppNames(cfg.Apps)
	case KindCorpus:
		corpus, err := datasets.LoadCorpus(c.DataPath)
		if err != nil {
			return posErr(c.file, mapValue(ds, "path"), "dataset.path", "%w", err)
		}
		have = corpus.Apps()
	case KindGraphs:
		for _, side := range []string{"train", "test"} {
			ents, err := os.ReadDir(graphSetDir(c, side))
			if err != nil {
				return posErr(c.file, mapValue(ds, "path"), "dataset.path", "graph set: %w", err)
			}
			var apps []string
			for _, e := range ents {
				if e.IsDir() {
					apps = append(apps, e.Name())
				}
			}
			if side == "train" {
				have = apps
			} else if !slices.Equal(uniqueSorted(apps), uniqueSorted(have)) {
				return posErr(c.file, mapValue(ds, "path"), "dataset.path", "%s and %s hold different apps", graphSetDir(c, "train"), graphSetDir(c, "test"))
			}
		}
	}
	apps, err := selectApps(c, uniqueSorted(have))
	if err != nil {
		key, n := "dataset.apps", mapValue(ds, "apps")
		if n == nil {
			key, n = "dataset.app_count", mapValue(ds, "app_count")
		}
		return posErr(c.file, n, key, "%w", err)
	}
	if len(apps) == 0 {
		return posErr(c.file, ds, "dataset", "no apps")
	}
	if len(apps) == 1 {
		key, n := "dataset.apps", resolve(mapValue(ds, "apps"))
		if n == nil {
			key, n = "dataset", resolve(ds)
		}
		x.warn(posErr(c.file, n, key, "only one app (%s): every sample has the same label, so every score is trivially 1.0; classification needs at least two apps", apps[0]))
	}
	if _, err := unseenApps(c, apps); err != nil {
		key, n := "task.unseen_apps", mapValue(mapValue(root, "task"), "unseen_apps")
		if n == nil {
			key, n = "task", mapValue(root, "task")
		}
		return posErr(c.file, n, key, "%w", err)
	}
	return nil
}

// splitSeed is the seed of a cell's split and hold-out: dataset.seed when
// set, else the repetition's seed.
func splitSeed(c *Cell) uint64 {
	if c.Config.Dataset.Seed != 0 {
		return c.Config.Dataset.Seed
	}
	return c.Seed
}
