package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"appbench/internal/atomicfile"
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
	// held-out group (group split); see Cell.
	Fold  int    `json:"fold,omitempty"`
	Group string `json:"group,omitempty"`
	// Dataset is the cell's dataset configuration, Task its task kind.
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

// ResultPath returns the file of cell id in dir.
func ResultPath(dir, id string) string { return filepath.Join(dir, id+ResultSuffix) }

// WriteResult stores r in dir atomically: it writes a temporary file in the
// same folder, syncs it and renames it over the final name, so a crash
// leaves either no file or a complete one.
func WriteResult(dir string, r *Result) error {
	b, err := encodeResult(r)
	if err != nil {
		return err
	}
	return writeAtomic(ResultPath(dir, r.ID), b)
}

// encodeResult gives the text of r's result file.
func encodeResult(r *Result) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bench: encode result %s: %w", r.ID, err)
	}
	return append(b, '\n'), nil
}

// tmpPrefix starts the names of temporary files; ReadResults ignores them
// and Run removes leftovers.
const tmpPrefix = ".tmp-"

func writeAtomic(path string, b []byte) error {
	err := atomicfile.WriteTemp(path, tmpName()+filepath.Base(path)+"-*", func(w *bufio.Writer) error {
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// ReadResult reads one result file.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return decodeResult(path, b)
}

// decodeResult parses the text b of the result file at path.
func decodeResult(path string, b []byte) (*Result, error) {
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", path, err)
	}
	if r.Schema != ResultSchema {
		return nil, fmt.Errorf("bench: %s: result schema %d, this build reads %d", path, r.Schema, ResultSchema)
	}
	if r.ID == "" || !strings.HasSuffix(path, r.ID+ResultSuffix) {
		return nil, fmt.Errorf("bench: %s: file name does not match its cell id %q", path, r.ID)
	}
	return &r, nil
}

// ReadResults reads every result file of dir, sorted by experiment, method
// index, point index and repetition.
func ReadResults(dir string) ([]*Result, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("bench: results: %w", err)
	}
	var out []*Result
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ResultSuffix) || strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		r, err := ReadResult(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	SortResults(out)
	return out, nil
}

// SortResults orders results by experiment, method index, point index,
// repetition, fold, group and id.
func SortResults(rs []*Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Experiment != b.Experiment {
			return a.Experiment < b.Experiment
		}
		if a.MethodIndex != b.MethodIndex {
			return a.MethodIndex < b.MethodIndex
		}
		if a.PointIndex != b.PointIndex {
			return a.PointIndex < b.PointIndex
		}
		if a.Repeat != b.Repeat {
			return a.Repeat < b.Repeat
		}
		if a.Fold != b.Fold {
			return a.Fold < b.Fold
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.ID < b.ID
	})
}

// done reports whether dir holds a complete result for c with the same
// configuration hash.
func done(dir string, c *Cell) bool {
	r, err := ReadResult(ResultPath(dir, c.ID))
	return err == nil && r.ConfigHash == c.Hash
}

// tmpName returns the prefix of this process's temporary files:
// .tmp-<host>-<pid>-.
func tmpName() string {
	host, _ := os.Hostname()
	host = strings.ReplaceAll(host, "-", "_")
	return fmt.Sprintf("%s%s-%d-", tmpPrefix, host, os.Getpid())
}

// staleTemp reports whether a temporary file was left by a process that is
// gone: one of this host whose pid no longer runs, or any older than ten
// minutes (a result is written in milliseconds).
func staleTemp(e fs.DirEntry) bool {
	if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 10*time.Minute {
		return true
	}
	parts := strings.SplitN(strings.TrimPrefix(e.Name(), tmpPrefix), "-", 3)
	host, _ := os.Hostname()
	if len(parts) < 3 || parts[0] != strings.ReplaceAll(host, "-", "_") {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil {
		return false
	}
	return pid != os.Getpid() && !processAlive(pid)
}

// removeTemps deletes temporary files left in dir by interrupted runs.
func removeTemps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("bench: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tmpPrefix) && staleTemp(e) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
		}
	}
	return nil
}
