package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"appbench/methods"
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

// Split kinds.
const (
	// SplitRandom splits chunks at random (the MAppGraph protocol).
	SplitRandom = "random"
	// SplitCapture keeps all chunks of a capture on one side.
	SplitCapture = "capture"
	// SplitGiven uses the split of the dataset itself (graphs datasets).
	SplitGiven = "given"
)

// Task kinds.
const (
	// TaskClosed is closed-world classification: every test app was seen
	// in training.
	TaskClosed = "closed"
	// TaskOpen holds some apps out of training; their test samples must be
	// reported unknown.
	TaskOpen = "open"
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
	// Split is random (default for packets), capture, or given (the only
	// choice, and the default, for graphs).
	Split string `yaml:"split"`
	// TestFraction is the share of chunks (or captures) tested (default
	// 0.2).
	TestFraction float64 `yaml:"test_fraction"`
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

	root *yaml.Node
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
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		return nil, &PosError{File: file, Err: err}
	}
	x := &Experiment{File: file, Dir: dir, Source: src, root: &root}
	if err := decodeStrict(file, &root, &x.Config, ""); err != nil {
		return nil, err
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

func (x *Experiment) validateAxes() error {
	seen := make(map[string]bool)
	sweep := mapValue(x.root, "sweep")
	for i := range x.Config.Sweep {
		a := &x.Config.Sweep[i]
		var an *yaml.Node
		if sweep != nil && i < len(resolve(sweep).Content) {
			an = resolve(sweep).Content[i]
		}
		key := fmt.Sprintf("sweep[%d]", i)
		if (a.Param == "") == (len(a.Params) == 0) {
			return posErr(x.File, an, key, "give exactly one of param and params")
		}
		if len(a.Values) == 0 {
			return posErr(x.File, an, key+".values", "an axis needs at least one value")
		}
		for _, p := range a.Paths() {
			if seen[p] {
				return posErr(x.File, an, key, "parameter %q is swept twice", p)
			}
			seen[p] = true
			if !strings.HasPrefix(p, "dataset.") && !strings.HasPrefix(p, "task.") && !strings.HasPrefix(p, "methods.") {
				return posErr(x.File, an, key, "parameter %q: only dataset.*, task.* and methods.* can be swept", p)
			}
		}
		if len(a.Labels) > 0 && len(a.Labels) != len(a.Values) {
			return posErr(x.File, an, key+".labels", "%d labels for %d values", len(a.Labels), len(a.Values))
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

// validate checks a cell-level config: kinds, ranges, known methods.
func (c *Config) validate(file string, root *yaml.Node) error {
	at := func(path ...string) *yaml.Node {
		n := root
		for _, p := range path {
			if m := mapValue(n, p); m != nil {
				n = m
			} else {
				break
			}
		}
		return resolve(n)
	}
	if strings.ContainsAny(c.Name, "/\\") || c.Name == "." || c.Name == ".." {
		return posErr(file, at("name"), "name", "experiment name %q must not contain slashes", c.Name)
	}
	d := &c.Dataset
	switch d.Kind {
	case KindSynth, KindCorpus, KindGraphs:
	case "":
		return posErr(file, at("dataset"), "dataset.kind", "missing (one of synth, corpus, graphs)")
	default:
		return posErr(file, at("dataset", "kind"), "dataset.kind", "unknown kind %q (one of synth, corpus, graphs)", d.Kind)
	}
	if d.Kind != KindSynth && d.Path == "" {
		return posErr(file, at("dataset"), "dataset.path", "missing: a %s dataset needs a path", d.Kind)
	}
	if d.Kind == KindSynth && d.Path != "" {
		return posErr(file, at("dataset", "path"), "dataset.path", "a synth dataset is generated in memory and takes no path")
	}
	if d.Kind != KindSynth && !isNull(&d.Synth) {
		return posErr(file, at("dataset", "synth"), "dataset.synth", "only a synth dataset takes synth settings")
	}
	if d.Window < 0 || d.Overlap < 0 || (d.Window > 0 && d.Overlap >= d.Window) || (d.Window == 0 && d.Overlap != 0) {
		return posErr(file, at("dataset", "overlap"), "dataset.overlap", "need 0 <= overlap < window (window %v, overlap %v)", d.Window, d.Overlap)
	}
	if d.OnDamage != "" && d.OnDamage != DamageError && d.OnDamage != DamageKeep {
		return posErr(file, at("dataset", "on_damage"), "dataset.on_damage", "unknown value %q (error or keep)", d.OnDamage)
	}
	if d.Kind != KindCorpus && (d.Strict || d.OnDamage != "") {
		key := "dataset.strict"
		if !d.Strict {
			key = "dataset.on_damage"
		}
		return posErr(file, at(strings.Split(key, ".")...), key, "only a corpus dataset reads files that can be skipped or damaged")
	}
	if d.Kind == KindGraphs && (d.Window != 0 || d.Overlap != 0) {
		return posErr(file, at("dataset", "window"), "dataset.window", "a graphs dataset is chunked already: pick the chunking with the path")
	}
	if d.MinPackets == 0 {
		d.MinPackets = 1
	}
	if d.MinPackets < 0 {
		return posErr(file, at("dataset", "min_packets"), "dataset.min_packets", "must not be negative")
	}
	if d.Kind == KindGraphs {
		if d.Split == "" {
			d.Split = SplitGiven
		}
		if d.Split != SplitGiven {
			return posErr(file, at("dataset", "split"), "dataset.split", "a graphs dataset has its split given by its folders (split: given)")
		}
		if d.Nodes == 0 {
			d.Nodes = 20
		}
		if d.Slice == 0 {
			d.Slice = 10 * time.Second
		}
		if d.Slice%time.Second != 0 || d.Slice < 0 || d.Nodes < 0 {
			return posErr(file, at("dataset", "slice"), "dataset.slice", "slice must be whole seconds and nodes positive")
		}
	} else {
		if d.Split == "" {
			d.Split = SplitRandom
		}
		if d.Split != SplitRandom && d.Split != SplitCapture {
			return posErr(file, at("dataset", "split"), "dataset.split", "unknown split %q (random or capture)", d.Split)
		}
		if d.Nodes != 0 || d.Slice != 0 {
			return posErr(file, at("dataset", "nodes"), "dataset.nodes", "nodes and slice only apply to graphs datasets (set the method's own parameters instead)")
		}
	}
	if d.TestFraction == 0 {
		d.TestFraction = 0.2
	}
	if d.TestFraction <= 0 || d.TestFraction >= 1 {
		return posErr(file, at("dataset", "test_fraction"), "dataset.test_fraction", "must be in (0, 1), got %g", d.TestFraction)
	}
	if d.AppCount < 0 || (len(d.Apps) > 0 && d.AppCount > 0) {
		return posErr(file, at("dataset", "app_count"), "dataset.app_count", "give apps or a positive app_count, not both")
	}
	if d.AppsList != "" && d.AppCount == 0 {
		return posErr(file, at("dataset", "apps_list"), "dataset.apps_list", "apps_list needs app_count")
	}
	t := &c.Task
	switch t.Kind {
	case "":
		t.Kind = TaskClosed
	case TaskClosed, TaskOpen:
	default:
		return posErr(file, at("task", "kind"), "task.kind", "unknown task %q (closed or open)", t.Kind)
	}
	if t.Kind == TaskClosed && (t.UnseenFraction != 0 || len(t.UnseenApps) > 0) {
		return posErr(file, at("task"), "task", "unseen apps only apply to task kind open")
	}
	if t.Kind == TaskOpen && len(t.UnseenApps) == 0 {
		if t.UnseenFraction == 0 {
			t.UnseenFraction = 0.2
		}
		if t.UnseenFraction <= 0 || t.UnseenFraction >= 1 {
			return posErr(file, at("task", "unseen_fraction"), "task.unseen_fraction", "must be in (0, 1), got %g", t.UnseenFraction)
		}
	}
	if len(c.Methods) == 0 {
		return posErr(file, root, "methods", "no methods (registered: %s)", strings.Join(methods.Names(), ", "))
	}
	ids := make(map[string]bool)
	ms := mapValue(root, "methods")
	for i := range c.Methods {
		m := &c.Methods[i]
		var mn *yaml.Node
		if ms != nil && i < len(resolve(ms).Content) {
			mn = resolve(ms).Content[i]
		}
		key := fmt.Sprintf("methods[%d]", i)
		if m.Name == "" {
			return posErr(file, mn, key+".name", "missing method name (registered: %s)", strings.Join(methods.Names(), ", "))
		}
		if _, err := methods.Lookup(m.Name); err != nil {
			return posErr(file, mapValue(mn, "name"), key+".name", "%w", err)
		}
		if ids[m.ID()] {
			return posErr(file, mn, key, "method %q appears twice: give the second one an \"as\" name", m.ID())
		}
		ids[m.ID()] = true
		if strings.ContainsAny(m.ID(), "/\\ \t") {
			return posErr(file, mn, key, "method id %q must not contain slashes or spaces", m.ID())
		}
	}
	if c.Repeats < 0 || c.Workers < 0 || c.MethodWorkers < 0 {
		return posErr(file, root, "repeats", "repeats, workers and method_workers must not be negative")
	}
	if len(c.Seeds) > 0 {
		if c.Repeats != 0 && c.Repeats != len(c.Seeds) {
			return posErr(file, at("repeats"), "repeats", "repeats (%d) disagrees with the %d seeds listed", c.Repeats, len(c.Seeds))
		}
		c.Repeats = len(c.Seeds)
	}
	if c.Repeats == 0 {
		c.Repeats = 1
	}
	if c.Seed == 0 && len(c.Seeds) == 0 {
		c.Seed = 1
	}
	if c.Workers == 0 {
		c.Workers = 1
	}
	if c.MethodWorkers == 0 {
		c.MethodWorkers = 1
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
