package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"appbench/methods"
	"appbench/resultfmt"
)

// Dataset kinds.
const (
	// KindSynth is the synthetic corpus of appbench/datasets/synth,
	// generated in memory from Dataset.Synth.
	KindSynth = "synth"
	// KindCorpus is a labeled corpus of capture or packet-CSV files on
	// disk (datasets.LoadCorpus: <root>/<app>/<files> or a manifest CSV).
	KindCorpus = "corpus"
	// KindGraphs is a processed MAppGraph graph set: a folder with
	// train_graphs/ and test_graphs/ holding N<nodes>/t<slice>/<app>/.
	KindGraphs = "graphs"
)

// Config is an experiment file.
type Config struct {
	// Name names the experiment (default: the file name without
	// extension).
	Name string `yaml:"name"`
	// Description is free text shown in reports.
	Description string `yaml:"description"`
	// Dataset says where the samples come from and how they are cut and
	// split.
	Dataset Dataset `yaml:"dataset"`
	// Task is closed- or open-world.
	Task Task `yaml:"task"`
	// Methods lists the methods to compare, each with its parameters.
	Methods []MethodSpec `yaml:"methods"`
	// Sweep lists the grid axes; the cells are their Cartesian product.
	Sweep []Axis `yaml:"sweep"`
	// Repeats is the number of repetitions with different seeds (default
	// 1). Repetition r uses seed Seed+r unless Seeds lists the seeds.
	Repeats int `yaml:"repeats"`
	// Seed is the seed of the first repetition (default 1; 0 means the
	// default).
	Seed uint64 `yaml:"seed"`
	// Seeds, when given, lists the seed of each repetition and sets
	// Repeats.
	Seeds []uint64 `yaml:"seeds"`
	// Workers bounds the cells run at the same time (default 1).
	Workers int `yaml:"workers"`
	// MethodWorkers is the goroutine budget handed to each method
	// (methods.Config.Workers; default 1).
	MethodWorkers int `yaml:"method_workers"`
}

// Dataset describes the samples of an experiment.
type Dataset struct {
	// Kind is synth, corpus or graphs.
	Kind string `yaml:"kind"`
	// Path is the corpus folder or manifest (corpus) or the processed
	// graph folder (graphs). ${VAR} and $VAR are replaced by environment
	// variables; a relative path is relative to the config file.
	Path string `yaml:"path"`
	// Also names more corpus folders or manifests (kind corpus) whose
	// captures join those of Path, as one corpus: apps kept elsewhere, such
	// as the apps held out as unseen. Variables and relative paths as for
	// Path; a capture name (its path relative to its corpus) found in two
	// of them is an error.
	Also []string `yaml:"also"`
	// Synth is the synthetic-corpus configuration (kind synth), decoded
	// into synth.Config on top of synth.DefaultConfig().
	Synth yaml.Node `yaml:"synth"`
	// Apps restricts the experiment to these apps.
	Apps []string `yaml:"apps"`
	// AppCount restricts the experiment to this many apps: the
	// "List of <n> apps" line of AppsList when given, else the first
	// AppCount apps in sorted order.
	AppCount int `yaml:"app_count"`
	// AppsList is a MAppGraph apps_list.txt file (lines "List of 10 apps:
	// 'a', 'b', ...").
	AppsList string `yaml:"apps_list"`
	// Window is the chunk duration (packet datasets); 0 keeps every
	// capture whole as one sample.
	Window time.Duration `yaml:"window"`
	// Overlap is the overlap of consecutive chunks (< Window).
	Overlap time.Duration `yaml:"overlap"`
	// MinPackets drops chunks with fewer packets (default 1: empty chunks
	// are dropped, as MAppGraph skips them).
	MinPackets int `yaml:"min_packets"`
	// Split is random (default for packets), capture, kfold, group or
	// time, or given (the only choice, and the default, for graphs).
	Split string `yaml:"split"`
	// TestFraction is the share of chunks (or captures) tested (default
	// 0.2; splits random, capture and time).
	TestFraction float64 `yaml:"test_fraction"`
	// TrainFraction, below 1, keeps that share of each known app's
	// training chunks (seeded with the split seed; smaller fractions keep
	// subsets of larger ones), for learning curves: sweep it. Default 1.
	TrainFraction float64 `yaml:"train_fraction"`
	// Folds is the number of folds of split kfold (default 5).
	Folds int `yaml:"folds"`
	// GroupBy says how split group groups the captures: "column:NAME",
	// a column of the corpus manifest, or "path:REGEXP", a regular
	// expression on the capture's name (its path within the corpus),
	// whose first parenthesised group (or whole match) is the group.
	GroupBy string `yaml:"group_by"`
	// Seed, when set, fixes the split (and the open-world hold-out) for
	// every repetition, so that repetitions vary only the methods' own
	// randomness. By default each repetition splits with its own seed.
	Seed uint64 `yaml:"seed"`
	// Nodes and Slice pick the graph set N<Nodes>/t<Slice> of a graphs
	// dataset (defaults 20 and 10s).
	Nodes int           `yaml:"nodes"`
	Slice time.Duration `yaml:"slice"`
	// Strict makes every file that a folder corpus skips (see
	// datasets.LoadCorpus) an error instead of a note.
	Strict bool `yaml:"strict"`
	// OnDamage says what to do with a damaged capture (corpus): error
	// stops, keep keeps the packets before the damage with a note. By
	// default a capture cut in its last record (as when tcpdump is killed)
	// is kept and any other damage is an error.
	OnDamage string `yaml:"on_damage"`
}

// Values of Dataset.OnDamage.
const (
	// DamageError makes any damaged capture an error.
	DamageError = "error"
	// DamageKeep keeps the packets before the damage, with a note.
	DamageKeep = "keep"
)

// Task describes what is asked of the methods.
type Task struct {
	// Kind is closed (default) or open.
	Kind string `yaml:"kind"`
	// UnseenFraction is the share of apps held out of training in the open
	// world (default 0.2), chosen with the repetition's seed.
	UnseenFraction float64 `yaml:"unseen_fraction"`
	// UnseenApps, when given, names the held-out apps instead.
	UnseenApps []string `yaml:"unseen_apps"`
}

// MethodSpec is one method of an experiment.
type MethodSpec struct {
	// Name is the registered method name.
	Name string `yaml:"name"`
	// As is the name shown in results, to compare one method under several
	// parameter sets (default Name).
	As string `yaml:"as"`
	// Params are decoded strictly into the method's own parameter struct.
	Params yaml.Node `yaml:"params"`
}

// ID returns As, or Name when As is empty.
func (m *MethodSpec) ID() string {
	if m.As != "" {
		return m.As
	}
	return m.Name
}

// Axis is one sweep axis: a parameter path and its values, or several
// paths set together (zipped) from tuples.
type Axis struct {
	// Param is a dotted path into the config, e.g. dataset.window or
	// methods.destination-set.k (shorthand of
	// methods.destination-set.params.k).
	Param string `yaml:"param"`
	// Params are several paths set together; each value is then a list
	// with one entry per path.
	Params []string `yaml:"params"`
	// Values are the values taken along the axis.
	Values []yaml.Node `yaml:"values"`
	// Labels, when given, name the values in results and tables (one per
	// value), e.g. "similar" and "different" for two app lists. The cell's
	// coordinate is then one entry whose parameter is the paths joined
	// with "+".
	Labels []string `yaml:"labels"`
}

// Paths returns Param or Params.
func (a *Axis) Paths() []string {
	if a.Param != "" {
		return []string{a.Param}
	}
	return a.Params
}

// Experiment is a loaded, validated experiment: its config, the source
// text, and its cells.
type Experiment struct {
	// File is the config's file name as given (for messages).
	File string
	// Dir is the folder relative paths are resolved against.
	Dir string
	// Source is the YAML text.
	Source []byte
	// Config is the decoded base config (before sweeps).
	Config Config
	// Cells are the expanded grid cells in a deterministic order.
	Cells []*Cell
	// Warnings are problems that do not stop the experiment but make its
	// results meaningless or misleading (e.g. a dataset of one app), each
	// once; the caller prints them.
	Warnings []string

	root   *yaml.Node
	noData bool // expand without touching the data (LoadOptions.NoData)
	// groups are LoadOptions.Groups.
	groups map[string][]string
}

// LoadOptions control LoadWith.
type LoadOptions struct {
	// NoData expands the cells without touching the data: the dataset
	// path need not exist (nor its variables be set) and the preflight
	// check of the apps is skipped. Cells then have no DataPath and cannot
	// run; their ids and hashes are those of a normal load. Reports use it
	// to read the experiment copy of a results folder.
	NoData bool
	// Name is the experiment's name when the file gives none (default:
	// the file name without extension).
	Name string
	// Groups, with NoData, gives the groups of each group_by of a group
	// split (which are otherwise found from the captures' names or the
	// manifest): the cells are expanded for these groups. Select takes
	// them from the result files.
	Groups map[string][]string
}

// LoadFile reads, validates and expands an experiment file.
func LoadFile(path string) (*Experiment, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return Load(path, filepath.Dir(path), src)
}

// Load validates and expands an experiment from its YAML text. file names
// it in messages; dir is where relative paths start.
func Load(file, dir string, src []byte) (*Experiment, error) {
	return LoadWith(file, dir, src, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(file, dir string, src []byte, opt LoadOptions) (*Experiment, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &PosError{File: file, Err: errors.New("empty experiment file")}
		}
		return nil, syntaxErr(file, err)
	}
	if isNull(resolve(&root)) {
		return nil, &PosError{File: file, Err: errors.New("empty experiment file")}
	}
	x := &Experiment{File: file, Dir: dir, Source: src, root: &root, noData: opt.NoData, groups: opt.Groups}
	if err := decodeStrict(file, &root, &x.Config, ""); err != nil {
		return nil, err
	}
	if x.Config.Name == "" {
		x.Config.Name = opt.Name
	}
	if x.Config.Name == "" {
		x.Config.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if err := x.validateAxes(); err != nil {
		return nil, err
	}
	if err := x.expand(); err != nil {
		return nil, err
	}
	return x, nil
}

// yamlLine matches the position prefix of the YAML parser's errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxErr turns a YAML syntax error ("yaml: line 3: problem") into a
// PosError at that line.
func syntaxErr(file string, err error) error {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return &PosError{File: file, Err: err}
	}
	line, _ := strconv.Atoi(m[1])
	return &PosError{File: file, Line: line, Err: errors.New(strings.TrimPrefix(err.Error(), m[0]))}
}

// warn records a warning once.
func (x *Experiment) warn(err error) {
	if msg := "warning: " + err.Error(); !slices.Contains(x.Warnings, msg) {
		x.Warnings = append(x.Warnings, msg)
	}
}

// validateAxes checks the sweep axes: their shape, and that each path is
// sweepable and names a method of the experiment.
func (x *Experiment) validateAxes() error {
	seen := make(map[string]bool)
	sweep := resolve(mapValue(x.root, "sweep"))
	for i := range x.Config.Sweep {
		a := &x.Config.Sweep[i]
		var an *yaml.Node
		if sweep != nil && i < len(sweep.Content) {
			an = resolve(sweep.Content[i])
		}
		key := fmt.Sprintf("sweep[%d]", i)
		if (a.Param == "") == (len(a.Params) == 0) {
			return posErr(x.File, an, key, "give exactly one of param and params")
		}
		if len(a.Values) == 0 {
			return posErr(x.File, valueOr(an, "values"), key+".values", "an axis needs at least one value")
		}
		for j, p := range a.Paths() {
			pn, pkey := axisPathNode(an, a, j), key+".param"
			if len(a.Params) > 0 {
				pkey = fmt.Sprintf("%s.params[%d]", key, j)
			}
			if seen[p] {
				return posErr(x.File, pn, pkey, "parameter %q is swept twice", p)
			}
			seen[p] = true
			if err := x.checkSweepPath(p); err != nil {
				return posErr(x.File, pn, pkey, "parameter %q: %w", p, err)
			}
		}
		if len(a.Labels) > 0 && len(a.Labels) != len(a.Values) {
			return posErr(x.File, valueOr(an, "labels"), key+".labels", "%d labels for %d values", len(a.Labels), len(a.Values))
		}
		if len(a.Params) > 0 {
			for j := range a.Values {
				v := resolve(&a.Values[j])
				if v.Kind != yaml.SequenceNode || len(v.Content) != len(a.Params) {
					return posErr(x.File, v, fmt.Sprintf("%s.values[%d]", key, j), "expected a list of %d values (one per params entry)", len(a.Params))
				}
			}
		}
	}
	return nil
}

// checkSweepPath checks that a sweep path starts with dataset., task. or
// methods.<id>. where id is one of the experiment's methods, and does not
// rename a method.
func (x *Experiment) checkSweepPath(p string) error {
	segs := strings.Split(p, ".")
	switch segs[0] {
	case "dataset", "task":
		if len(segs) < 2 || segs[1] == "" {
			return errors.New("name a key, e.g. dataset.window")
		}
		return nil
	case "methods":
	default:
		return errors.New("only dataset.*, task.* and methods.* can be swept")
	}
	var ids []string
	for i := range x.Config.Methods {
		ids = append(ids, x.Config.Methods[i].ID())
	}
	if len(segs) < 3 || segs[2] == "" {
		return fmt.Errorf("want methods.<method>.<parameter> (methods: %s)", strings.Join(ids, ", "))
	}
	if !slices.Contains(ids, segs[1]) {
		return fmt.Errorf("no method %q in the experiment (methods: %s)", segs[1], strings.Join(ids, ", "))
	}
	if segs[2] == "name" || segs[2] == "as" {
		return errors.New("a sweep cannot rename a method: list it once per name, with an \"as\" name each")
	}
	return nil
}

// axisPathNode returns the node of the j-th path of axis a (node an), or an.
func axisPathNode(an *yaml.Node, a *Axis, j int) *yaml.Node {
	if a.Param != "" {
		return valueOr(an, "param")
	}
	if ps := resolve(mapValue(an, "params")); ps != nil && j < len(ps.Content) {
		return ps.Content[j]
	}
	return an
}

// valueOr returns the value node of key in mapping n, or n.
func valueOr(n *yaml.Node, key string) *yaml.Node {
	if v := resolve(mapValue(n, key)); v != nil {
		return v
	}
	return n
}

// validate checks a cell-level config (kinds, ranges, known methods) and
// fills in the defaults of the keys root does not give. An explicit zero is
// an error where zero would otherwise mean "the default".
func (c *Config) validate(file string, root *yaml.Node) error {
	k := checker{file: file, root: root}
	checks := []func(checker) error{
		c.checkName, c.Dataset.checkSource, c.Dataset.checkChunks, c.Dataset.checkSplit,
		c.Dataset.checkApps, c.Task.check, c.checkMethods, c.checkRepeats, c.checkWorkers,
	}
	for _, check := range checks {
		if err := check(k); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) checkName(k checker) error {
	if strings.ContainsAny(c.Name, "/\\") || c.Name == "." || c.Name == ".." {
		return k.errf("name", "experiment name %q must not contain slashes", c.Name)
	}
	return nil
}

// checkSource checks the dataset kind and where its samples come from.
func (d *Dataset) checkSource(k checker) error {
	names := slices.Sorted(maps.Keys(kinds))
	if d.Kind == "" {
		return k.errf("dataset.kind", "missing (one of %s)", strings.Join(names, ", "))
	}
	if kinds[d.Kind] == nil {
		return k.errf("dataset.kind", "unknown kind %q (one of %s)", d.Kind, strings.Join(names, ", "))
	}
	if d.Kind != KindSynth && d.Path == "" {
		return k.errf("dataset.path", "missing: a %s dataset needs a path", d.Kind)
	}
	if d.Kind == KindSynth && d.Path != "" {
		return k.errf("dataset.path", "a synth dataset is generated in memory and takes no path")
	}
	if d.Kind != KindSynth && !isNull(&d.Synth) {
		return k.errf("dataset.synth", "only a synth dataset takes synth settings")
	}
	if d.Kind != KindCorpus && len(d.Also) > 0 {
		return k.errf("dataset.also", "only a corpus dataset joins more corpora")
	}
	if d.OnDamage != "" && d.OnDamage != DamageError && d.OnDamage != DamageKeep {
		return k.errf("dataset.on_damage", "unknown value %q (error or keep)", d.OnDamage)
	}
	if d.Kind != KindCorpus && (d.Strict || d.OnDamage != "") {
		key := "dataset.strict"
		if !d.Strict {
			key = "dataset.on_damage"
		}
		return k.errf(key, "only a corpus dataset reads files that can be skipped or damaged")
	}
	return nil
}

// checkChunks checks the chunking: window, overlap and min_packets.
func (d *Dataset) checkChunks(k checker) error {
	switch {
	case d.Window < 0:
		return k.errf("dataset.window", "must not be negative, got %v", d.Window)
	case d.Overlap < 0:
		return k.errf("dataset.overlap", "must not be negative, got %v", d.Overlap)
	case d.Window == 0 && d.Overlap != 0:
		return k.errf("dataset.overlap", "overlap %v needs a window (window 0 keeps each capture whole)", d.Overlap)
	case d.Window > 0 && d.Overlap >= d.Window:
		return k.errf("dataset.overlap", "need overlap < window (window %v, overlap %v)", d.Window, d.Overlap)
	case d.Kind == KindGraphs && (d.Window != 0 || d.Overlap != 0):
		return k.errf("dataset.window", "a graphs dataset is chunked already: pick the chunking with the path")
	}
	return k.count("dataset.min_packets", &d.MinPackets, 1)
}

// checkSplit checks the split and, for graphs datasets, the graph set.
func (d *Dataset) checkSplit(k checker) error {
	if k.given("dataset.seed") && d.Seed == 0 {
		return k.errf("dataset.seed", "0 is not a split seed: give a positive seed, or leave dataset.seed out to split each repetition with its own seed")
	}
	if err := k.fraction("dataset.test_fraction", &d.TestFraction, 0.2); err != nil {
		return err
	}
	if !k.given("dataset.train_fraction") {
		d.TrainFraction = 1
	} else if !(d.TrainFraction > 0 && d.TrainFraction <= 1) {
		return k.errf("dataset.train_fraction", "must be in (0, 1], got %g (leave it out to train on every training chunk)", d.TrainFraction)
	} else if d.Kind == KindGraphs {
		return k.errf("dataset.train_fraction", "only packet datasets subsample their training chunks")
	}
	if d.Kind != KindGraphs {
		if d.Split == "" {
			d.Split = resultfmt.SplitRandom
		}
		if err := d.checkPacketSplit(k); err != nil {
			return err
		}
		for _, key := range []string{"dataset.nodes", "dataset.slice"} {
			if k.given(key) {
				return k.errf(key, "nodes and slice only apply to graphs datasets (set the method's own parameters instead)")
			}
		}
		return nil
	}
	for _, key := range []string{"dataset.folds", "dataset.group_by"} {
		if k.given(key) {
			return k.errf(key, "a graphs dataset has its split given by its folders")
		}
	}
	if d.Split == "" {
		d.Split = resultfmt.SplitGiven
	}
	if d.Split != resultfmt.SplitGiven {
		return k.errf("dataset.split", "a graphs dataset has its split given by its folders (split: given)")
	}
	if err := k.count("dataset.nodes", &d.Nodes, 20); err != nil {
		return err
	}
	if !k.given("dataset.slice") {
		d.Slice = 10 * time.Second
	}
	if d.Slice <= 0 || d.Slice%time.Second != 0 {
		return k.errf("dataset.slice", "must be a positive whole number of seconds, got %v", d.Slice)
	}
	return nil
}

// checkPacketSplit checks the split of a packet dataset and the keys of
// its kind: folds for kfold, group_by for group, test_fraction for the
// others.
func (d *Dataset) checkPacketSplit(k checker) error {
	switch d.Split {
	case resultfmt.SplitRandom, resultfmt.SplitCapture, resultfmt.SplitKFold, resultfmt.SplitGroup, resultfmt.SplitTime:
	default:
		return k.errf("dataset.split", "unknown split %q (random, capture, kfold, group or time)", d.Split)
	}
	if d.Split != resultfmt.SplitKFold && k.given("dataset.folds") {
		return k.errf("dataset.folds", "folds only apply to split kfold (the split is %s)", d.Split)
	}
	if d.Split != resultfmt.SplitGroup && k.given("dataset.group_by") {
		return k.errf("dataset.group_by", "group_by only applies to split group (the split is %s)", d.Split)
	}
	if (d.Split == resultfmt.SplitKFold || d.Split == resultfmt.SplitGroup) && k.given("dataset.test_fraction") {
		return k.errf("dataset.test_fraction", "split %s tests each fold or group in turn and takes no test_fraction", d.Split)
	}
	switch d.Split {
	case resultfmt.SplitKFold:
		if err := k.count("dataset.folds", &d.Folds, 5); err != nil {
			return err
		}
		if d.Folds < 2 {
			return k.errf("dataset.folds", "k-fold cross-validation needs at least 2 folds, got %d", d.Folds)
		}
		d.TestFraction = 0
	case resultfmt.SplitGroup:
		if d.GroupBy == "" {
			return k.errf("dataset.group_by", "split group needs group_by: column:NAME (a manifest column) or path:REGEXP (on the capture path)")
		}
		if _, err := parseGroupBy(d.GroupBy); err != nil {
			return k.errf("dataset.group_by", "%v", err)
		}
		d.TestFraction = 0
	}
	return nil
}

// checkApps checks the app selection.
func (d *Dataset) checkApps(k checker) error {
	if k.given("dataset.app_count") {
		if len(d.Apps) > 0 {
			return k.errf("dataset.app_count", "give apps or app_count, not both")
		}
		if d.AppCount < 1 {
			return k.errf("dataset.app_count", "must be at least 1, got %d (leave it out for every app)", d.AppCount)
		}
	}
	if d.AppsList != "" && d.AppCount == 0 {
		return k.errf("dataset.apps_list", "apps_list needs app_count")
	}
	return nil
}

// check checks the task kind and the open-world hold-out.
func (t *Task) check(k checker) error {
	switch t.Kind {
	case "":
		t.Kind = resultfmt.TaskClosed
	case resultfmt.TaskClosed, resultfmt.TaskOpen:
	default:
		return k.errf("task.kind", "unknown task %q (closed or open)", t.Kind)
	}
	fraction, apps := k.given("task.unseen_fraction"), k.given("task.unseen_apps")
	switch {
	case t.Kind == resultfmt.TaskClosed && fraction:
		return k.errf("task.unseen_fraction", "unseen apps only apply to task kind open")
	case t.Kind == resultfmt.TaskClosed && apps:
		return k.errf("task.unseen_apps", "unseen apps only apply to task kind open")
	case fraction && apps:
		return k.errf("task.unseen_fraction", "give unseen_fraction or unseen_apps, not both")
	case apps && len(t.UnseenApps) == 0:
		return k.errf("task.unseen_apps", "empty list: name at least one app, or leave it out to hold out unseen_fraction of the apps")
	case t.Kind == resultfmt.TaskOpen && !apps:
		return k.fraction("task.unseen_fraction", &t.UnseenFraction, 0.2)
	}
	return nil
}

// checkMethods checks that the methods are registered and their ids unique.
func (c *Config) checkMethods(k checker) error {
	if len(c.Methods) == 0 {
		return k.errf("methods", "no methods (registered: %s)", strings.Join(methods.Names(), ", "))
	}
	ids := make(map[string]bool)
	items := k.node("methods")
	for i := range c.Methods {
		m := &c.Methods[i]
		var mn *yaml.Node
		if items != nil && i < len(items.Content) {
			mn = resolve(items.Content[i])
		}
		key := fmt.Sprintf("methods[%d]", i)
		if m.Name == "" {
			return posErr(k.file, mn, key+".name", "missing method name (registered: %s)", strings.Join(methods.Names(), ", "))
		}
		if _, err := methods.Lookup(m.Name); err != nil {
			return posErr(k.file, mapValue(mn, "name"), key+".name", "%w", err)
		}
		if ids[m.ID()] {
			return posErr(k.file, mn, key, "method %q appears twice: give the second one an \"as\" name", m.ID())
		}
		ids[m.ID()] = true
		if strings.ContainsAny(m.ID(), "/\\ \t") {
			return posErr(k.file, mn, key, "method id %q must not contain slashes or spaces", m.ID())
		}
	}
	return nil
}

// checkRepeats checks repeats, seeds and seed.
func (c *Config) checkRepeats(k checker) error {
	if k.given("seeds") {
		if len(c.Seeds) == 0 {
			return k.errf("seeds", "empty list: list at least one seed, or leave seeds out")
		}
		if k.given("repeats") && c.Repeats != len(c.Seeds) {
			return k.errf("repeats", "repeats (%d) disagrees with the %d seeds listed", c.Repeats, len(c.Seeds))
		}
		c.Repeats = len(c.Seeds)
		return nil
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return k.count("repeats", &c.Repeats, 1)
}

// checkWorkers checks workers and method_workers.
func (c *Config) checkWorkers(k checker) error {
	if err := k.count("workers", &c.Workers, 1); err != nil {
		return err
	}
	return k.count("method_workers", &c.MethodWorkers, 1)
}

// checker places the errors of a config's validation at its YAML nodes.
type checker struct {
	file string
	root *yaml.Node // the document's top mapping
}

// node returns the value node of a dotted key ("dataset.window"), or nil
// when the file does not give the key or gives it no value.
func (k checker) node(key string) *yaml.Node {
	n := k.root
	for _, seg := range strings.Split(key, ".") {
		if n = resolve(mapValue(n, seg)); isNull(n) {
			return nil
		}
	}
	return n
}

// given reports whether the file gives key a value, which tells an
// explicit 0 from a key left out.
func (k checker) given(key string) bool { return k.node(key) != nil }

// errf returns an error about key, placed at its value node, or at the
// nearest enclosing key the file gives.
func (k checker) errf(key, format string, args ...any) error {
	n := k.node(key)
	for p := key; n == nil; {
		i := strings.LastIndex(p, ".")
		if i < 0 {
			n = k.root
			break
		}
		p = p[:i]
		n = k.node(p)
	}
	return posErr(k.file, n, key, format, args...)
}

// count sets *v to def when the file does not give key, and rejects a
// given value below 1.
func (k checker) count(key string, v *int, def int) error {
	if !k.given(key) {
		*v = def
		return nil
	}
	if *v < 1 {
		return k.errf(key, "must be at least 1, got %d (leave it out for the default, %d)", *v, def)
	}
	return nil
}

// fraction sets *v to def when the file does not give key, and rejects a
// given value outside (0, 1).
func (k checker) fraction(key string, v *float64, def float64) error {
	if !k.given(key) {
		*v = def
		return nil
	}
	if *v <= 0 || *v >= 1 {
		return k.errf(key, "must be in (0, 1), got %g (leave it out for the default, %g)", *v, def)
	}
	return nil
}

// RepeatSeed returns the seed of repetition r.
func (c *Config) RepeatSeed(r int) uint64 {
	if len(c.Seeds) > 0 {
		return c.Seeds[r]
	}
	return c.Seed + uint64(r)
}

// expandPath replaces environment variables in p and makes it absolute
// against dir. It fails when a variable is unset.
func expandPath(p, dir string) (string, error) {
	var missing []string
	out := os.Expand(p, func(v string) string {
		s, ok := os.LookupEnv(v)
		if !ok || s == "" {
			missing = append(missing, v)
		}
		return s
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set (set it to your data folder, e.g. %s=/data, or edit the path)", missing[0], missing[0])
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(dir, out)
	}
	return out, nil
}
