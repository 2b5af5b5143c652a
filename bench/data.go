package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"appbench/datasets"
	"appbench/featcache"
	"appbench/mappgraph"
	"appbench/methods"
	"appbench/resultfmt"
)

// source is one capture of a packet dataset, read on demand. packets
// returns the records read before an error along with it.
type source struct {
	app, name string
	// path is the capture's file, for the feature cache ("" when it is
	// generated).
	path string
	// extra holds the manifest's other columns (nil without a manifest).
	extra   map[string]string
	packets func() ([]datasets.Packet, error)
}

// data is a loaded dataset, shared by the cells that read it the same way
// (same files, chunking and damage policy) and never modified after
// loading: per capture its chunks with their features (and their packets
// only when a method without a feature stage needs them), or the given
// split of a graphs dataset. Each cell selects its apps and splits on
// chunk descriptors, so that neither needs the captures read again.
type data struct {
	srcs []source
	cuts []cut // parallel to srcs
	// apps are the apps of a graphs dataset, sorted.
	apps   []string
	trainG map[string][]*mappgraph.Graph
	testG  map[string][]*mappgraph.Graph
	// notes say what loading skipped or kept from damaged files, and
	// what went wrong with the feature cache.
	notes []string
	// feats holds the features of each feature key the cells need.
	feats   map[string]*keyFeatures
	stage   *stage // to read features back from the cache
	workers int
}

// cut is what chunking and the feature stage did to one capture.
type cut struct {
	chunks  []datasets.Chunk // those with at least MinPackets packets
	packets int
	stats   datasets.ChunkStats
	note    string // damage kept, or many empty windows
	// feats holds, per feature key, the features of each chunk, during
	// loading.
	feats map[string][][]byte
	// ckeys are the feature cache keys of the capture's features, by
	// feature key (nil without a cache).
	ckeys map[string]*featcache.Key
	// counts holds the chunks' packet counts when their packets were
	// dropped (nil when the chunks still hold them).
	counts []int
}

// npackets returns the packet count of chunk j.
func (ct *cut) npackets(j int) int {
	if ct.counts != nil {
		return ct.counts[j]
	}
	return len(ct.chunks[j].Packets)
}

// loadData reads the captures of the apps that cells select (cells share
// one reading of the dataset), chunks them and runs the feature stages
// that the cells' methods need, dropping the packets unless a method
// without a feature stage needs them. fc, when not nil, is the feature
// cache: the features are then kept there, not in memory, and each cell
// reads those of its training and of its test chunks when it needs them.
func loadData(ctx context.Context, cells []*Cell, workers int, fc *featcache.Cache) (*data, error) {
	c := cells[0]
	d := &c.Config.Dataset
	kind := kinds[d.Kind]
	if g, ok := kind.(givenKind); ok {
		return g.load(c)
	}
	srcs, notes, err := kind.(packetKind).sources(ctx, c)
	if err != nil {
		return nil, err
	}
	all := make([]string, 0)
	for _, s := range srcs {
		all = append(all, s.app)
	}
	have := uniqueSorted(all)
	keep := make(map[string]bool)
	for _, cell := range cells {
		apps, err := selectApps(cell, have)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: dataset: %w", cell.file, err)
		}
		for _, a := range apps {
			keep[a] = true
		}
	}
	srcs = slices.DeleteFunc(srcs, func(s source) bool { return !keep[s.app] })
	st := &stage{needs: needsOf(cells), cache: fc, d: d, featErr: make(map[string]error)}
	cuts, err := st.loadAll(ctx, srcs, workers)
	if err != nil {
		return nil, err
	}
	out := &data{srcs: srcs, cuts: cuts, notes: notes, stage: st, workers: workers,
		feats: make(map[string]*keyFeatures, len(st.needs.keys))}
	for _, k := range st.needs.keys {
		kf := &keyFeatures{refs: st.needs.refs[k], of: make([][][]byte, len(cuts))}
		for i := range cuts {
			kf.of[i] = cuts[i].feats[k]
		}
		out.feats[k] = kf
	}
	for i := range cuts {
		cuts[i].feats = nil
	}
	return out, nil
}

// view is what one cell takes of loaded data: the chunks of its apps that
// have samples, and the notes about them.
type view struct {
	apps   []string // selected apps that have samples, sorted
	chunks []datasets.Chunk
	refs   map[chunkID]chunkRef // where each chunk's features are
	notes  []string
	srcs   []source // the captures of the selected apps
}

// chunkID names a chunk within a dataset.
type chunkID struct {
	capture string
	index   int
}

// chunkRef locates a chunk in data: capture i, chunk j.
type chunkRef struct{ i, j int }

// viewOf selects cell c's apps of d.
func viewOf(d *data, c *Cell) (*view, error) {
	have := make([]string, 0)
	for _, s := range d.srcs {
		have = append(have, s.app)
	}
	apps, err := selectApps(c, uniqueSorted(have))
	if err != nil {
		return nil, fmt.Errorf("bench: %s: dataset: %w", c.file, err)
	}
	var srcs []source
	var cuts []cut
	v := &view{refs: make(map[chunkID]chunkRef), notes: d.allNotes()}
	for i := range d.srcs {
		if !slices.Contains(apps, d.srcs[i].app) {
			continue
		}
		srcs, cuts = append(srcs, d.srcs[i]), append(cuts, d.cuts[i])
		if n := d.cuts[i].note; n != "" {
			v.notes = append(v.notes, n)
		}
		for j, ch := range d.cuts[i].chunks {
			v.chunks = append(v.chunks, ch)
			v.refs[chunkID{ch.Capture, ch.Index}] = chunkRef{i, j}
		}
	}
	v.srcs = srcs
	dd := &c.Config.Dataset
	if len(v.chunks) == 0 {
		return nil, fmt.Errorf("bench: %s: dataset: %s", c.file, noChunks(srcs, cuts, dd))
	}
	for _, app := range apps {
		if why := dropped(app, srcs, cuts, dd); why != "" {
			v.notes = append(v.notes, why)
		} else {
			v.apps = append(v.apps, app)
		}
	}
	return v, nil
}

// onDamage applies dataset.on_damage to the outcome of reading a capture:
// it keeps the packets before the damage (with a note saying so) or
// returns the error.
func onDamage(pkts []datasets.Packet, err error, policy string) ([]datasets.Packet, string, error) {
	switch {
	case err == nil:
		return pkts, "", nil
	case policy == "" && errors.Is(err, datasets.ErrTruncated):
		return pkts, fmt.Sprintf("kept the %d packets before the cut last record: %v", len(pkts), err), nil
	case policy == DamageKeep && errors.Is(err, datasets.ErrMalformed):
		return pkts, fmt.Sprintf("kept the %d packets before the damage (on_damage: keep): %v", len(pkts), err), nil
	case policy == "" && errors.Is(err, datasets.ErrMalformed):
		return nil, "", fmt.Errorf("%w (dataset.on_damage: keep keeps the packets before the damage)", err)
	}
	return nil, "", err
}

// chunk cuts one capture into chunks (or keeps it whole when the window is
// 0) and drops chunks with fewer than MinPackets packets. Only whole
// windows are kept: the time after the last whole window is not a chunk.
func chunk(app, name string, pkts []datasets.Packet, d *Dataset) cut {
	var cs []datasets.Chunk
	ct := cut{packets: len(pkts)}
	if d.Window == 0 {
		if len(pkts) > 0 {
			cs = []datasets.Chunk{{App: app, Capture: name, Index: 1,
				Start: pkts[0].Seconds(), Stop: pkts[len(pkts)-1].Seconds(), Packets: pkts}}
			ct.stats = datasets.ChunkStats{Windows: 1, Span: cs[0].Stop - cs[0].Start}
		}
	} else {
		cs, ct.stats = datasets.ChunkPacketsStats(app, name, pkts, d.Window, d.Overlap)
		ct.note = ct.stats.Note(name)
	}
	ct.chunks = slices.DeleteFunc(cs, func(c datasets.Chunk) bool { return len(c.Packets) < d.MinPackets })
	return ct
}

// shorter describes the captures among srcs (of app, or all when app is
// "") that give no window: whether all of them are shorter than the
// window, and the longest of them.
func shorter(app string, srcs []source, cuts []cut) (n int, all bool, longest string, span float64) {
	all, span = true, math.Inf(-1)
	for i := range srcs {
		if app != "" && srcs[i].app != app {
			continue
		}
		n++
		if cuts[i].packets == 0 || cuts[i].stats.Windows > 0 {
			all = false
			continue
		}
		if cuts[i].stats.Span > span {
			longest, span = srcs[i].name, cuts[i].stats.Span
		}
	}
	return n, all && longest != "", longest, span
}

// noChunks says why a dataset gives no chunk at all.
func noChunks(srcs []source, cuts []cut, d *Dataset) string {
	if n, all, longest, span := shorter("", srcs, cuts); all {
		return fmt.Sprintf("every capture (%d) is shorter than the window %v (the longest, %s, spans %v); only whole windows are kept: shorten dataset.window, or set it to 0 to keep each capture whole",
			n, d.Window, longest, seconds(span))
	}
	return fmt.Sprintf("no chunk with at least %d packets (min_packets)", d.MinPackets)
}

// dropped says why app has no sample, or "" when it has some.
func dropped(app string, srcs []source, cuts []cut, d *Dataset) string {
	chunks, windows, packets := 0, 0, 0
	for i := range srcs {
		if srcs[i].app == app {
			chunks += len(cuts[i].chunks)
			windows += cuts[i].stats.Windows - cuts[i].stats.Empty
			packets += cuts[i].packets
		}
	}
	n, all, longest, span := shorter(app, srcs, cuts)
	switch {
	case chunks > 0:
		return ""
	case packets == 0:
		return fmt.Sprintf("app %s dropped: %s no TCP or UDP packet", app, its(n, "capture holds", "captures hold"))
	case all:
		return fmt.Sprintf("app %s dropped: %s shorter than the window %v (the longest, %s, spans %v); only whole windows are kept",
			app, its(n, "capture is", "captures are all"), d.Window, longest, seconds(span))
	}
	return fmt.Sprintf("app %s dropped: none of its %d chunks has at least %d packets (min_packets)", app, windows, d.MinPackets)
}

// its returns "its capture is" for one, "its 3 captures are all" for more.
func its(n int, one, more string) string {
	if n == 1 {
		return "its " + one
	}
	return fmt.Sprintf("its %d %s", n, more)
}

// seconds turns a span in seconds into a duration rounded for messages.
func seconds(s float64) time.Duration {
	return time.Duration(s * 1e9).Round(time.Millisecond)
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
	if t.Kind != resultfmt.TaskOpen {
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

// cellData is one cell's share of loaded data: its training and test
// samples, as graph samples (graphs datasets) or as chunks of loaded data.
type cellData struct {
	d             *data
	apps          []string // apps with samples
	unseen        []string
	notes         []string
	trainG, testG []methods.Sample // graphs datasets
	trainC, testC []datasets.Chunk // packet datasets
	refs          map[chunkID]chunkRef
}

// samples splits loaded data for cell c: training samples of the known
// apps, test samples of the known apps, then every sample of the unseen
// apps (open world).
func samples(d *data, c *Cell) (*cellData, error) {
	if d.trainG != nil {
		return graphSamples(d, c)
	}
	v, err := viewOf(d, c)
	if err != nil {
		return nil, err
	}
	cd := &cellData{d: d, apps: v.apps, notes: v.notes, refs: v.refs}
	cd.unseen, err = unseenApps(c, v.apps)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: task: %w", c.file, err)
	}
	var known, late []datasets.Chunk
	for _, ch := range v.chunks {
		if slices.Contains(cd.unseen, ch.App) {
			late = append(late, ch)
		} else {
			known = append(known, ch)
		}
	}
	var te []datasets.Chunk
	if cd.trainC, te, err = splitKnown(c, v, known); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", c.file, err)
	}
	if f := c.Config.Dataset.TrainFraction; f < 1 && len(cd.trainC) > 0 {
		cd.trainC = datasets.SubsampleByApp(cd.trainC, f, splitSeed(c))
	}
	cd.notes = append(cd.notes, untrained(c, cd.apps, cd.unseen, cd.trainC)...)
	cd.testC = append(te, late...)
	if len(cd.trainC) == 0 || len(cd.testC) == 0 {
		return nil, fmt.Errorf("bench: %s: the split leaves %d training and %d test samples", c.file, len(cd.trainC), len(cd.testC))
	}
	return cd, nil
}

// untrained notes the known apps of cell c that the split leaves without
// a training sample (a held-out group holding all their captures): their
// test samples cannot be recognised.
func untrained(c *Cell, apps, unseen []string, train []datasets.Chunk) []string {
	have := make(map[string]bool)
	for _, ch := range train {
		have[ch.App] = true
	}
	var out []string
	for _, a := range apps {
		if !have[a] && !slices.Contains(unseen, a) {
			what := "the split"
			if c.Group != "" {
				what = "group " + c.Group + " holds all its captures"
			}
			out = append(out, fmt.Sprintf("app %s has no training sample in cell %s (%s): its test samples cannot be recognised", a, c.ID, what))
		}
	}
	return out
}

// graphSamples is samples for a graphs dataset.
func graphSamples(d *data, c *Cell) (*cellData, error) {
	apps, err := selectApps(c, d.apps)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: dataset: %w", c.file, err)
	}
	unseen, err := unseenApps(c, apps)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: task: %w", c.file, err)
	}
	cd := &cellData{d: d, apps: apps, unseen: unseen, notes: d.notes}
	var late []methods.Sample
	for _, side := range []struct {
		name string
		gs   map[string][]*mappgraph.Graph
		to   *[]methods.Sample
	}{{"train", d.trainG, &cd.trainG}, {"test", d.testG, &cd.testG}} {
		for _, app := range apps {
			for _, g := range side.gs[app] {
				s := methods.Sample{Label: app, Capture: fmt.Sprintf("%s/%s/%d", app, side.name, g.ID), Chunk: g.ID, Graph: g}
				if slices.Contains(unseen, app) {
					late = append(late, s)
				} else {
					*side.to = append(*side.to, s)
				}
			}
		}
	}
	cd.testG = append(cd.testG, late...)
	return cd, nil
}

// labels returns the true labels of the test samples.
func (cd *cellData) labels() []string {
	if cd.trainC == nil {
		out := make([]string, len(cd.testG))
		for i := range cd.testG {
			out[i] = cd.testG[i].Label
		}
		return out
	}
	out := make([]string, len(cd.testC))
	for i := range cd.testC {
		out[i] = cd.testC[i].App
	}
	return out
}

// counts returns the numbers of training and test samples.
func (cd *cellData) counts() (train, test int) {
	if cd.trainC == nil {
		return len(cd.trainG), len(cd.testG)
	}
	return len(cd.trainC), len(cd.testC)
}

// captures counts the captures of the cell's training and test chunks (0
// for a graphs dataset).
func (cd *cellData) captures() int {
	seen := make(map[string]bool)
	for _, side := range [][]datasets.Chunk{cd.trainC, cd.testC} {
		for _, ch := range side {
			seen[ch.Capture] = true
		}
	}
	return len(seen)
}

// encoded returns the chunks' features for key.
func (cd *cellData) encoded(ctx context.Context, key string, chunks []datasets.Chunk) ([]methods.Encoded, error) {
	feats, err := cd.d.chunkFeatures(ctx, key, refsOf(cd.refs, chunks))
	if err != nil {
		return nil, err
	}
	out := make([]methods.Encoded, len(chunks))
	for k, ch := range chunks {
		out[k] = methods.Encoded{Label: ch.App, Capture: ch.Capture, Chunk: ch.Index, Start: ch.Start, Stop: ch.Stop, Features: feats[k]}
	}
	return out, nil
}

// refsOf returns where each chunk's features are.
func refsOf(refs map[chunkID]chunkRef, chunks []datasets.Chunk) []chunkRef {
	out := make([]chunkRef, len(chunks))
	for k, ch := range chunks {
		out[k] = refs[chunkID{ch.Capture, ch.Index}]
	}
	return out
}

// packetSamples returns the chunks as packet samples.
func packetSamples(chunks []datasets.Chunk) []methods.Sample {
	out := make([]methods.Sample, len(chunks))
	for i := range chunks {
		ch := &chunks[i]
		out[i] = methods.Sample{Label: ch.App, Capture: ch.Capture, Chunk: ch.Index, Start: ch.Start, Stop: ch.Stop, Packets: ch.Packets}
	}
	return out
}

// fitPredict fits m on the cell's training samples and predicts its test
// samples: from features when m has a feature stage and the data are
// chunks, else from the samples.
func (cd *cellData) fitPredict(ctx context.Context, m methods.Method) (preds []methods.Prediction, fit, predict time.Duration, err error) {
	f, staged := m.(methods.Featurizer)
	t0 := time.Now()
	switch {
	case cd.trainC == nil:
		err = m.Fit(ctx, cd.trainG)
	case staged:
		var enc []methods.Encoded
		if enc, err = cd.encoded(ctx, f.FeatureKey(), cd.trainC); err == nil {
			err = f.FitFeatures(ctx, enc)
		}
	default:
		err = m.Fit(ctx, packetSamples(cd.trainC))
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("fit: %w", err)
	}
	// What fitting built and let go (a forest's rank matrix, say) is
	// collected now: otherwise the collector, paced by the heap of the fit,
	// lets prediction grow the heap well above what is live.
	runtime.GC()
	t1 := time.Now()
	switch {
	case cd.trainC == nil:
		preds, err = m.Predict(ctx, cd.testG)
	case staged:
		var enc []methods.Encoded
		if enc, err = cd.encoded(ctx, f.FeatureKey(), cd.testC); err == nil {
			preds, err = f.PredictFeatures(ctx, enc)
		}
	default:
		preds, err = m.Predict(ctx, packetSamples(cd.testC))
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("predict: %w", err)
	}
	return preds, t1.Sub(t0), time.Since(t1), nil
}

// dataCache shares loaded datasets between the cells that read them the
// same way and drops each one after its last cell.
type dataCache struct {
	fc      *featcache.Cache
	mu      sync.Mutex
	entries map[string]*cacheEntry
	notes   []string  // of the datasets loaded, in loading order
	stats   LoadStats // summed over the datasets loaded
}

type cacheEntry struct {
	once  sync.Once
	cells []*Cell
	d     *data
	err   error
	refs  int
}

func newDataCache(cells []*Cell, fc *featcache.Cache) *dataCache {
	dc := &dataCache{fc: fc, entries: make(map[string]*cacheEntry)}
	for _, c := range cells {
		e := dc.entries[c.readKey]
		if e == nil {
			e = &cacheEntry{}
			dc.entries[c.readKey] = e
		}
		e.cells = append(e.cells, c)
		e.refs++
	}
	return dc
}

func (dc *dataCache) get(ctx context.Context, c *Cell, workers int) (*data, error) {
	dc.mu.Lock()
	e := dc.entries[c.readKey]
	dc.mu.Unlock()
	e.once.Do(func() {
		d, err := loadData(ctx, e.cells, workers, dc.fc)
		dc.mu.Lock()
		e.d, e.err = d, err
		dc.mu.Unlock()
	})
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return e.d, e.err
}

func (dc *dataCache) release(c *Cell) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	e := dc.entries[c.readKey]
	if e.d != nil && e.d.stage != nil {
		e.d.release(e.d.stage.needs.of[c])
	}
	e.refs--
	if e.refs == 0 {
		if e.d != nil {
			dc.stats.add(e.d.loadStats())
			dc.notes = append(dc.notes, e.d.allNotes()...)
		}
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
	ds := mapValue(root, "dataset")
	have, err := kinds[c.Config.Dataset.Kind].apps(c)
	if err != nil {
		return err
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
