package resultfmt

import (
	"runtime/debug"
	"time"
)

// ResultSchema is the version of the result file format.
const ResultSchema = 1

// ResultSuffix ends the name of every result file in a results folder.
const ResultSuffix = ".cell.json"

// Result is the record of one finished cell, stored as
// <results dir>/<cell id>.cell.json.
type Result struct {
	Schema     int    `json:"schema"`
	ID         string `json:"id"`
	ConfigHash string `json:"config_hash"`
	Experiment string `json:"experiment"`
	// Method is the method's id in the experiment, MethodName the
	// registered name, Params its parameters as written.
	Method      string  `json:"method"`
	MethodName  string  `json:"method_name"`
	Params      any     `json:"params,omitempty"`
	MethodIndex int     `json:"method_index"`
	PointIndex  int     `json:"point_index"`
	Point       []Coord `json:"point,omitempty"`
	Repeat      int     `json:"repeat"`
	Seed        uint64  `json:"seed"`
	// Fold and Group are the cell's fold (k-fold split, 1-based) or
	// held-out group (group split); see bench.Cell.
	Fold  int    `json:"fold,omitempty"`
	Group string `json:"group,omitempty"`
	// Dataset is the cell's dataset configuration, Task its task kind
	// (TaskClosed or TaskOpen).
	Dataset DatasetKey `json:"dataset"`
	Task    string     `json:"task"`
	// Apps counts the apps of the experiment that have samples; Unseen
	// lists those held out of training (open world).
	Apps   int      `json:"apps"`
	Unseen []string `json:"unseen,omitempty"`
	// Detects is set when the method flags unknown samples
	// (methods.Detector), which the open world then counts unknown.
	Detects bool `json:"detects,omitempty"`
	// DatasetNotes say what loading the dataset skipped, dropped or kept
	// from damaged files (corpus skip notes, apps without samples,
	// captures cut short, clock jumps).
	DatasetNotes []string `json:"dataset_notes,omitempty"`
	// Captures counts the captures the cell's samples were cut from
	// (training and test; 0 for a graphs dataset, whose samples are not
	// traced to captures).
	Captures int `json:"captures,omitempty"`
	// Train and Test count the samples.
	Train   int     `json:"train"`
	Test    int     `json:"test"`
	Metrics Metrics `json:"metrics"`
	// FitSeconds and PredictSeconds are wall times of Fit and Predict;
	// LoadSeconds the time to load and split the data (shared with other
	// cells when cached).
	FitSeconds     float64 `json:"fit_seconds"`
	PredictSeconds float64 `json:"predict_seconds"`
	LoadSeconds    float64 `json:"load_seconds"`
	// ReadSeconds and FeatureSeconds are the time spent reading and
	// chunking captures and computing features, summed over the captures
	// of the cell's dataset (shared with the cells that read it the same
	// way); CacheHits and CacheMisses count the captures' features found
	// in the feature cache and computed.
	ReadSeconds    float64 `json:"read_seconds,omitempty"`
	FeatureSeconds float64 `json:"feature_seconds,omitempty"`
	CacheHits      int     `json:"cache_hits,omitempty"`
	CacheMisses    int     `json:"cache_misses,omitempty"`
	// PeakHeapBytes is the largest Go heap sampled while the cell ran;
	// cells running at the same time share the heap, so run with one
	// worker for per-cell figures.
	PeakHeapBytes uint64 `json:"peak_heap_bytes"`
	// MethodNotes are the distinct notes the method reported
	// (methods.Config.Note), in order.
	MethodNotes []string `json:"method_notes,omitempty"`
	// Version describes the appbench build; Finished is when the cell
	// ended.
	Version  string    `json:"version"`
	Finished time.Time `json:"finished"`
}

// Version describes this build: module version, VCS revision when
// recorded, Go version.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "appbench (unknown build)"
	}
	s := "appbench " + info.Main.Version
	for _, kv := range info.Settings {
		if kv.Key == "vcs.revision" {
			s += " " + kv.Value
		}
		if kv.Key == "vcs.modified" && kv.Value == "true" {
			s += "+dirty"
		}
	}
	return s + " " + info.GoVersion
}

// Coord is the value of one swept parameter in a cell.
type Coord struct {
	Param string `json:"param"`
	Value any    `json:"value"`
}

// DatasetKey is a dataset configuration in canonical form: what cell
// hashes cover and result files record.
type DatasetKey struct {
	Kind         string        `json:"kind"`
	Path         string        `json:"path,omitempty"`
	Also         []string      `json:"also,omitempty"`
	Synth        any           `json:"synth,omitempty"`
	Apps         []string      `json:"apps,omitempty"`
	AppCount     int           `json:"app_count,omitempty"`
	AppsList     string        `json:"apps_list,omitempty"`
	Window       time.Duration `json:"window,omitempty"`
	Overlap      time.Duration `json:"overlap,omitempty"`
	MinPackets   int           `json:"min_packets"`
	Split        string        `json:"split"`
	TestFraction float64       `json:"test_fraction"`
	// TrainFraction is left out when it is 1 (the default), so that the
	// hashes of experiments without it stay as they were.
	TrainFraction float64       `json:"train_fraction,omitempty"`
	Folds         int           `json:"folds,omitempty"`
	GroupBy       string        `json:"group_by,omitempty"`
	Seed          uint64        `json:"seed,omitempty"`
	Nodes         int           `json:"nodes,omitempty"`
	Slice         time.Duration `json:"slice,omitempty"`
	OnDamage      string        `json:"on_damage,omitempty"`
}

// Split kinds (DatasetKey.Split).
const (
	// SplitRandom splits chunks at random (the MAppGraph protocol).
	SplitRandom = "random"
	// SplitCapture keeps all chunks of a capture on one side.
	SplitCapture = "capture"
	// SplitGiven uses the split of the dataset itself (graphs datasets).
	SplitGiven = "given"
	// SplitKFold is stratified k-fold cross-validation grouped by
	// capture: each of the dataset's folds is tested once, in its own
	// cell (Result.Fold).
	SplitKFold = "kfold"
	// SplitGroup is leave-one-group-out: captures are grouped by the
	// dataset's group_by and each group is tested once, in its own cell
	// (Result.Group), after training on the others.
	SplitGroup = "group"
	// SplitTime trains on each app's earliest captures and tests its
	// latest, by first packet time.
	SplitTime = "time"
)

// Task kinds (Result.Task).
const (
	// TaskClosed is closed-world classification: every test app was seen
	// in training.
	TaskClosed = "closed"
	// TaskOpen holds some apps out of training; their test samples must be
	// reported unknown.
	TaskOpen = "open"
)
