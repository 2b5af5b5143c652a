package methods

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"appbench/datasets"
)

// Sample is one item to classify: a traffic chunk, or a prebuilt graph for
// processed-graph datasets.
type Sample struct {
	// Label is the true app (empty when unknown to the caller).
	Label string
	// Capture identifies the capture the sample came from.
	Capture string
	// Chunk is the 1-based position of the chunk within its capture (the
	// graph id for processed-graph datasets); 0 when the caller does not
	// say.
	Chunk int
	// Start and Stop are the chunk's window bounds in seconds since the
	// epoch; both 0 when the caller does not say.
	Start, Stop float64
	// Packets are the chunk's packets; nil for processed-graph datasets.
	Packets []datasets.Packet
	// Graph is the prebuilt graph of processed-graph datasets; nil for
	// packet datasets.
	Graph *datasets.Graph
}

// Prediction is a method's answer for one sample.
type Prediction struct {
	// Label is the predicted app.
	Label string
	// Score is the method's confidence in Label (higher is surer); its
	// scale is the method's own.
	Score float64
	// Unknown reports that the method judges the sample to come from an
	// app it was not trained on (open-world detection).
	Unknown bool
}

// Method is a traffic classifier in estimator shape: it is built from its
// parameters only, Fit learns from labeled samples, Predict answers for each
// test sample, in order.
type Method interface {
	Name() string
	Fit(ctx context.Context, train []Sample) error
	Predict(ctx context.Context, test []Sample) ([]Prediction, error)
}

// Config is what a Factory gets to build a method. The factory Lookup
// returns completes the zero fields first (see Complete), so that a
// method's factory relies on Decode and Log being set and Workers being at
// least 1, and checks none of them.
type Config struct {
	// Decode decodes the method's parameters from the experiment file into
	// v, a pointer to the method's own parameter struct holding its
	// defaults. Unknown keys and wrong types are errors that name the file
	// and line. Decode leaves v untouched when no parameters were given.
	// Never nil.
	Decode func(v any) error
	// Seed is the seed for every random choice of the method.
	Seed uint64
	// Workers bounds the goroutines the method may use (>= 1).
	Workers int
	// Dir is the folder that relative paths in the method's parameters
	// are relative to: the experiment file's folder (absolute). Empty means
	// the working directory.
	Dir string
	// Log receives progress messages; never nil.
	Log io.Writer
	// Note receives notes the user sees without -v, such as input the
	// method could not use ("skipped 3 of 40 chunks ..."), one sentence
	// each without a newline. The harness collects them per cell, stores
	// them in the cell's result file and prints each distinct note once at
	// the end of a run. It may be nil; methods call it through Noter.
	Note func(string)
}

// Complete returns c with its zero fields set: a Decode that leaves v
// untouched (no parameters), io.Discard as Log, and 1 as Workers when it
// is below 1.
func (c Config) Complete() Config {
	if c.Decode == nil {
		c.Decode = func(any) error { return nil }
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	c.Workers = max(c.Workers, 1)
	return c
}

// Noter returns c.Note, or a function that drops the note when c.Note is
// nil, so that a method never checks.
func (c Config) Noter() func(string) {
	if c.Note == nil {
		return func(string) {}
	}
	return c.Note
}

// Factory builds a method from its configuration.
type Factory func(cfg Config) (Method, error)

var (
	mu        sync.RWMutex
	factories = make(map[string]Factory)
)

// Register makes a method available under name. It is meant to be called
// from the init function of the method's package; it panics if name is
// registered twice or factory is nil.
func Register(name string, factory Factory) {
	mu.Lock()
	defer mu.Unlock()
	if factory == nil {
		panic("methods: Register factory is nil")
	}
	if _, dup := factories[name]; dup {
		panic("methods: Register called twice for method " + name)
	}
	factories[name] = factory
}

// Lookup returns the factory registered under name, wrapped so that it
// gets its Config completed (Config.Complete).
func Lookup(name string) (Factory, error) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := factories[name]
	if !ok {
		return nil, fmt.Errorf("methods: unknown method %q (known: %v; forgotten import?)", name, namesLocked())
	}
	return func(cfg Config) (Method, error) { return f(cfg.Complete()) }, nil
}

// Names returns the sorted names of the registered methods.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(factories))
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Input is a set of sample representations a method can consume.
type Input uint8

// Sample representations.
const (
	// Packets means the method reads Sample.Packets (traffic chunks).
	Packets Input = 1 << iota
	// Graphs means the method reads Sample.Graph (prebuilt MAppGraph
	// graphs of processed-graph datasets).
	Graphs
)

// String returns "packets", "graphs", "packets+graphs" or "none".
func (in Input) String() string {
	switch in {
	case Packets:
		return "packets"
	case Graphs:
		return "graphs"
	case Packets | Graphs:
		return "packets+graphs"
	}
	return "none"
}

// InputsOf returns the inputs m accepts: what its Inputs method says when it
// implements InputKinds, else Packets.
func InputsOf(m Method) Input {
	if k, ok := m.(InputKinds); ok {
		return k.Inputs()
	}
	return Packets
}

// InputKinds is implemented by methods that say which sample representation
// they consume. A method that does not implement it needs Packets.
type InputKinds interface {
	Inputs() Input
}

// Detector is implemented by methods that detect samples of apps absent from
// training (open-world). For them Prediction.Unknown is meaningful; for other
// methods the harness treats every prediction as known.
type Detector interface {
	// DetectsUnknown reports whether the method, as configured, sets
	// Prediction.Unknown.
	DetectsUnknown() bool
}

// Saver is implemented by methods whose fitted model can be written out.
type Saver interface {
	Save(w io.Writer) error
}

// Loader is implemented by methods that can restore a model written by
// their Saver instead of calling Fit.
type Loader interface {
	Load(r io.Reader) error
}

// Labels returns the distinct labels of samples in order of first
// appearance.
func Labels(samples []Sample) []string {
	seen := make(map[string]bool)
	var out []string
	for _, s := range samples {
		if !seen[s.Label] {
			seen[s.Label] = true
			out = append(out, s.Label)
		}
	}
	return out
}

// NoParams is a Config.Decode target check for methods without parameters:
// it returns an error when parameters were given.
func NoParams(cfg Config) error {
	var none struct{}
	return cfg.Decode(&none)
}
