package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"appbench/methods"
	"appbench/resultfmt"
)

// Cell is one unit of work: one method with its parameters on one dataset
// configuration with one seed.
type Cell struct {
	// ID names the cell and its result file: <method>-<12 hex digits of
	// Hash>.
	ID string
	// Hash is the SHA-256 of the cell's canonical configuration (dataset,
	// task, method, parameters, seed); equal hashes mean equal work.
	Hash string
	// Index is the position in the experiment's expansion order; shards
	// take the cells whose Index is their number modulo the shard count.
	Index int
	// Method is the method's id (its as name, or its registered name).
	Method string
	// MethodName is the registered name.
	MethodName string
	// MethodIndex and PointIndex order the cells for reports: the method's
	// position in the config and the sweep point's position in the grid.
	MethodIndex, PointIndex int
	// Point holds the swept values of the cell, in axis order.
	Point []resultfmt.Coord
	// Repeat is the repetition number (0-based) and Seed its seed.
	Repeat int
	Seed   uint64
	// Fold is the fold a k-fold split tests (1-based; 0 for other
	// splits), Group the group a group split holds out ("" for others):
	// with the repetition, they place the cell among those of its row.
	Fold  int
	Group string
	// Config is the cell's resolved configuration (sweep values applied,
	// defaults filled in).
	Config Config
	// DataPath is the dataset path with variables expanded (empty for
	// synth).
	DataPath string
	// AlsoPaths are dataset.also with variables expanded.
	AlsoPaths []string
	// Params is the method's parameters as generic YAML values (nil when
	// none were given).
	Params any

	spec    MethodSpec
	file    string
	dir     string // the experiment file's folder
	dataKey string
	readKey string     // what reading and chunking the dataset depend on
	root    *yaml.Node // the cell's YAML (sweep values set), for error positions
}

// cellKey is what the cell hash covers.
type cellKey struct {
	Dataset resultfmt.DatasetKey `json:"dataset"`
	Task    Task                 `json:"task"`
	Method  string               `json:"method"`
	Params  any                  `json:"params"`
	Seed    uint64               `json:"seed"`
	Fold    int                  `json:"fold,omitempty"`
	Group   string               `json:"group,omitempty"`
}

func (d *Dataset) key() resultfmt.DatasetKey {
	tf := d.TrainFraction
	if tf == 1 {
		tf = 0
	}
	return resultfmt.DatasetKey{TrainFraction: tf,
		Kind: d.Kind, Path: d.Path, Synth: generic(&d.Synth), Apps: d.Apps, AppCount: d.AppCount,
		AppsList: d.AppsList, Window: d.Window, Overlap: d.Overlap, MinPackets: d.MinPackets,
		Split: d.Split, TestFraction: d.TestFraction, Folds: d.Folds, GroupBy: d.GroupBy, Seed: d.Seed, Nodes: d.Nodes, Slice: d.Slice,
		OnDamage: d.OnDamage, Also: d.Also,
	}
}

// readKey identifies how a dataset is read: its files and chunking, and
// not how cells select apps or split them, so that cells differing only in
// those share one reading.
func (d *Dataset) readKey(dataPath string, also []string) string {
	return hashJSON(struct {
		Kind, Path        string
		Synth             any
		Window, Overlap   time.Duration
		MinPackets, Nodes int
		Slice             time.Duration
		OnDamage          string
		Strict            bool
		Also              []string `json:",omitempty"`
	}{d.Kind, dataPath, generic(&d.Synth), d.Window, d.Overlap, d.MinPackets, d.Nodes, d.Slice, d.OnDamage, d.Strict, also})
}

// generic decodes a YAML node into plain Go values (nil for none).
func generic(n *yaml.Node) any {
	if isNull(resolve(n)) {
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	return normalize(v)
}

// normalize turns map[any]any into map[string]any so values encode as JSON.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = normalize(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = normalize(x)
		}
		return t
	}
	return v
}

func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("bench: unhashable cell key: " + err.Error()) // only plain values reach here
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// axisRelevant reports whether axis a applies to the method with id m: it
// does unless all its paths address other methods.
func axisRelevant(a *Axis, m string) bool {
	for _, p := range a.Paths() {
		if !strings.HasPrefix(p, "methods.") || strings.HasPrefix(p, "methods."+m+".") {
			return true
		}
	}
	return false
}

// expand builds the cells: for each method, the Cartesian product of the
// axes that apply to it (first axis slowest), then the repetitions.
func (x *Experiment) expand() error {
	base := &x.Config
	// Validate the base config first so that errors point at it.
	if err := base.validate(x.File, resolve(x.root)); err != nil {
		return err
	}
	for mi := range base.Methods {
		mid := base.Methods[mi].ID()
		var axes []int
		for ai := range base.Sweep {
			if axisRelevant(&base.Sweep[ai], mid) {
				axes = append(axes, ai)
			}
		}
		idx := make([]int, len(axes))
		for point := 0; ; point++ {
			root, coords, sets, err := x.applyPoint(axes, idx)
			if err != nil {
				return err
			}
			var c Config
			if err := decodeStrict(x.File, root, &c, ""); err != nil {
				return err
			}
			if c.Name == "" {
				c.Name = base.Name
			}
			if err := c.validate(x.File, resolve(root)); err != nil {
				return err
			}
			if err := x.addCells(&c, root, mi, point, coords, methodSets(sets, mid)); err != nil {
				return err
			}
			// advance the odometer
			k := len(axes) - 1
			for ; k >= 0; k-- {
				idx[k]++
				if idx[k] < len(base.Sweep[axes[k]].Values) {
					break
				}
				idx[k] = 0
			}
			if k < 0 {
				break
			}
		}
	}
	checked := make(map[string]bool)
	for _, c := range x.Cells {
		if !x.noData && !checked[c.dataKey] {
			checked[c.dataKey] = true
			if err := x.preflight(c); err != nil {
				return err
			}
		}
	}
	seen := make(map[string]*Cell)
	for _, c := range x.Cells {
		if o, dup := seen[c.Hash]; dup {
			return &PosError{File: x.File, Err: fmt.Errorf("cells %s and %s are the same work (a sweep value repeats a default?)", o.ID, c.ID)}
		}
		seen[c.Hash] = c
	}
	return nil
}

// sweepSet is one sweep value set in a cell's YAML.
type sweepSet struct {
	path string     // the parameter path
	key  string     // where the value is: sweep[i].values[j], with [k] for zipped params
	val  *yaml.Node // the value
}

// applyPoint returns a copy of the experiment's YAML with the values of one
// sweep point set (idx[k] is the value of axis axes[k]), the cell's
// coordinates, and the values set.
func (x *Experiment) applyPoint(axes, idx []int) (*yaml.Node, []resultfmt.Coord, []sweepSet, error) {
	root := cloneNode(x.root)
	var coords []resultfmt.Coord
	var sets []sweepSet
	for k, ai := range axes {
		a := &x.Config.Sweep[ai]
		v := &a.Values[idx[k]]
		for pi, p := range a.Paths() {
			val, key := v, fmt.Sprintf("sweep[%d].values[%d]", ai, idx[k])
			if len(a.Params) > 0 {
				val, key = resolve(v).Content[pi], fmt.Sprintf("%s[%d]", key, pi)
			}
			if err := setPath(root, p, cloneNode(val)); err != nil {
				return nil, nil, nil, posErr(x.File, val, key, "%w", err)
			}
			sets = append(sets, sweepSet{path: p, key: key, val: val})
			if len(a.Labels) == 0 {
				coords = append(coords, resultfmt.Coord{Param: p, Value: generic(val)})
			}
		}
		if len(a.Labels) > 0 {
			coords = append(coords, resultfmt.Coord{Param: strings.Join(a.Paths(), "+"), Value: a.Labels[idx[k]]})
		}
	}
	return root, coords, sets, nil
}

// methodSets returns the sweep values set on the parameters of method mid.
func methodSets(sets []sweepSet, mid string) []sweepSet {
	var out []sweepSet
	for _, s := range sets {
		if strings.HasPrefix(s.path, "methods."+mid+".") {
			out = append(out, s)
		}
	}
	return out
}

// addCells checks the method and the dataset of one sweep point and appends
// its repetitions.
// sets are the sweep values set on the method's parameters, which take the
// blame for a value the method rejects.
//
// groups are the held-out groups of a group split when the data are not
// read (see LoadOptions.Groups).
func (x *Experiment) addCells(c *Config, root *yaml.Node, mi, point int, coords []resultfmt.Coord, sets []sweepSet) error {
	groups := x.groups
	mid := x.Config.Methods[mi].ID()
	var spec *MethodSpec
	var specIdx int
	for i := range c.Methods {
		if c.Methods[i].ID() == mid {
			spec, specIdx = &c.Methods[i], i
		}
	}
	if spec == nil {
		return &PosError{File: x.File, Err: fmt.Errorf("a sweep renamed method %q", mid)}
	}
	key := fmt.Sprintf("methods[%d].params", specIdx)
	m, err := buildMethod(x.File, x.Dir, spec, key, c.RepeatSeed(0), c.MethodWorkers, io.Discard, nil)
	if err != nil {
		return x.methodErr(spec, mi, key, sets, err)
	}
	in := methods.InputsOf(m)
	dsNode := mapValue(root, "dataset")
	if c.Dataset.Kind == KindGraphs && in&methods.Graphs == 0 {
		return posErr(x.File, dsNode, "dataset.kind", "method %q needs packets, but a graphs dataset gives prebuilt graphs", mid)
	}
	if c.Dataset.Kind != KindGraphs && in&methods.Packets == 0 {
		return posErr(x.File, dsNode, "dataset.kind", "method %q needs prebuilt graphs (dataset kind graphs), but a %s dataset gives packets", mid, c.Dataset.Kind)
	}
	if c.Dataset.Kind == KindSynth {
		if err := checkSynth(x.File, &c.Dataset.Synth); err != nil {
			return err
		}
	}
	// The hash covers the paths as written, so that it does not change
	// with the folder of the file or the values of its variables.
	dk := c.Dataset.key()
	var dataPath string
	var also []string
	if c.Dataset.Kind != KindSynth && !x.noData {
		if dataPath, also, err = x.dataPaths(c, dsNode); err != nil {
			return err
		}
	}
	params := generic(&spec.Params)
	proto := &Cell{Config: *c, DataPath: dataPath, AlsoPaths: also, file: x.File, root: root}
	parts, err := x.parts(proto, groups)
	if err != nil {
		return err
	}
	for r := 0; r < c.Repeats; r++ {
		seed := c.RepeatSeed(r)
		for _, p := range parts {
			h := hashJSON(cellKey{Dataset: dk, Task: c.Task, Method: spec.Name, Params: params, Seed: seed, Fold: p.fold, Group: p.group})
			x.Cells = append(x.Cells, &Cell{
				ID: mid + "-" + h[:12], Hash: h, Index: len(x.Cells),
				Method: mid, MethodName: spec.Name, MethodIndex: mi, PointIndex: point,
				Point: coords, Repeat: r, Seed: seed, Fold: p.fold, Group: p.group, Config: *c, DataPath: dataPath, AlsoPaths: also,
				Params: params, spec: *spec, file: x.File, dir: x.Dir, root: root,
				dataKey: hashJSON(struct {
					D    resultfmt.DatasetKey
					Path string
					Also []string
				}{dk, dataPath, also}),
				readKey: c.Dataset.readKey(dataPath, also),
			})
		}
	}
	return nil
}

// dataPaths expands the dataset path, dataset.also and the apps list of c
// (a corpus or graphs dataset), checks that the dataset exists, and
// returns its path and the also paths.
func (x *Experiment) dataPaths(c *Config, dsNode *yaml.Node) (string, []string, error) {
	dataPath, err := x.existingPath(c.Dataset.Path, mapValue(dsNode, "path"), "dataset.path")
	if err != nil {
		return "", nil, err
	}
	var also []string
	an := resolve(mapValue(dsNode, "also"))
	for i, p := range c.Dataset.Also {
		n := an
		if an != nil && an.Kind == yaml.SequenceNode && i < len(an.Content) {
			n = an.Content[i]
		}
		ap, err := x.existingPath(p, n, fmt.Sprintf("dataset.also[%d]", i))
		if err != nil {
			return "", nil, err
		}
		also = append(also, ap)
	}
	if c.Dataset.AppsList != "" {
		if c.Dataset.AppsList, err = expandPath(c.Dataset.AppsList, x.Dir); err != nil {
			return "", nil, posErr(x.File, mapValue(dsNode, "apps_list"), "dataset.apps_list", "%w", err)
		}
	}
	return dataPath, also, nil
}

// existingPath expands p and checks that it exists; errors point at node n
// under key.
func (x *Experiment) existingPath(p string, n *yaml.Node, key string) (string, error) {
	ep, err := expandPath(p, x.Dir)
	if err != nil {
		return "", posErr(x.File, n, key, "%w", err)
	}
	if _, err := os.Stat(ep); err != nil {
		return "", posErr(x.File, n, key, "dataset not found: %w", err)
	}
	return ep, nil
}

// newMethod builds a method from its spec, decoding its parameters
// strictly. A decoding error is placed at the offending key; a value the
// method rejects itself, at the params node.
func newMethod(file, dir string, spec *MethodSpec, key string, seed uint64, workers int, log io.Writer, note func(string)) (methods.Method, error) {
	m, err := buildMethod(file, dir, spec, key, seed, workers, log, note)
	var pe *PosError
	if err != nil && !asPos(err, &pe) {
		return nil, paramsErr(file, spec, key, err)
	}
	return m, err
}

// buildMethod builds a method from its spec, with dir (the experiment
// file's folder, made absolute), log and note (nil drops the notes) as its
// Config.Dir, Config.Log and Config.Note. Decoding errors come back as
// *PosError, the method's own errors as they are.
func buildMethod(file, dir string, spec *MethodSpec, key string, seed uint64, workers int, log io.Writer, note func(string)) (methods.Method, error) {
	f, err := methods.Lookup(spec.Name)
	if err != nil {
		return nil, &PosError{File: file, Key: key, Err: err}
	}
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	params := spec.Params
	return f(methods.Config{
		Decode: func(v any) error {
			return decodeStrict(file, &params, v, key)
		},
		Seed:    seed,
		Workers: workers,
		Dir:     dir,
		Log:     log,
		Note:    note,
	})
}

// paramsErr places a method's own error: a *methods.ParamError at the
// value of its key when the params give it, other errors at the params
// node.
func paramsErr(file string, spec *MethodSpec, key string, err error) error {
	var n *yaml.Node
	if !isNull(&spec.Params) {
		n = &spec.Params
	}
	var pe *methods.ParamError
	if errors.As(err, &pe) {
		if v := mapValue(n, pe.Key); v != nil {
			return posErr(file, v, key+"."+pe.Key, "%w", err)
		}
	}
	return posErr(file, n, key, "%w", err)
}

// methodErr places the error of building the method of a sweep point
// (spec, the mi-th method of the experiment). A decoding error is placed
// already. A value the method rejects is blamed on the sweep values set on
// its parameters when the method accepts its parameters without them, else
// on its params.
func (x *Experiment) methodErr(spec *MethodSpec, mi int, key string, sets []sweepSet, err error) error {
	var pe *PosError
	if asPos(err, &pe) {
		return err
	}
	if len(sets) > 0 {
		if _, berr := buildMethod(x.File, x.Dir, &x.Config.Methods[mi], key, 1, 1, io.Discard, nil); berr == nil {
			var vals []string
			for _, s := range sets {
				vals = append(vals, fmt.Sprintf("%s = %v", s.path, generic(s.val)))
			}
			return posErr(x.File, sets[0].val, sets[0].key, "%s: %w", strings.Join(vals, ", "), err)
		}
	}
	return paramsErr(x.File, spec, key, err)
}
