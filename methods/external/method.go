package external

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"appbench/mappgraph"
	"appbench/methods"
	"appbench/methods/appscanner"
	"appbench/methods/internal/graphs"
)

func init() { methods.Register("external", New) }

// Inputs the plugin can ask for (parameter input).
const (
	InputPackets    = "packets"
	InputAppScanner = "appscanner"
	InputGraph      = "graph"
)

// Params are the method's parameters; see the package comment.
type Params struct {
	// Command is the program and its fixed arguments.
	Command []string `yaml:"command" json:"command"`
	// Input is packets, appscanner or graph.
	Input string `yaml:"input" json:"input"`
	// Timeout limits each call of the program.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Env holds extra environment variables of the calls.
	Env map[string]string `yaml:"env" json:"env"`
	// DetectsUnknown makes the plugin's unknown column count (open world).
	DetectsUnknown bool `yaml:"detects_unknown" json:"detects_unknown"`
	// KeepFiles keeps the temporary folders instead of removing them.
	KeepFiles bool `yaml:"keep_files" json:"keep_files"`
}

// DefaultParams returns the defaults of the package comment.
func DefaultParams() Params {
	return Params{Input: InputPackets, Timeout: time.Hour}
}

// reserved are the environment variables the harness sets itself.
var reserved = []string{"APPBENCH_SEED", "APPBENCH_WORKERS"}

// Validate returns a *methods.ParamError for the first bad parameter.
func (p Params) Validate() error {
	switch {
	case len(p.Command) == 0 || p.Command[0] == "":
		return badParam("command", "is required: the program and its arguments, such as [python3, plugin.py]", p.Command)
	case p.Input != InputPackets && p.Input != InputAppScanner && p.Input != InputGraph:
		return badParam("input", "must be packets, appscanner or graph", p.Input)
	case p.Timeout <= 0:
		return badParam("timeout", "must be a positive duration such as 30m", p.Timeout)
	}
	for k := range p.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return badParam("env", "has a bad variable name", k)
		}
		if slices.Contains(reserved, k) {
			return badParam("env", "must not set a variable the harness sets", k)
		}
	}
	return nil
}

// badParam is the ParamError of external for key.
func badParam(key, problem string, got any) error {
	return methods.NewParamError("external", key, problem, got)
}

// Method is the "external" method with input packets; the other inputs
// are a staged Method.
type Method struct {
	p       Params
	prog    string // Command[0], resolved
	dir     string // working directory of the calls ("" for the current one)
	seed    uint64
	workers int
	log     io.Writer
	note    func(string)
	plugin  string // the command as text, for messages

	// root is the cell's temporary folder between Fit and Predict.
	root string
}

// staged is Method with a feature stage: the flow rows of the Go
// appscanner method or the graphs of the graph methods.
type staged struct {
	*Method
	as    *appscanner.Method     // input appscanner
	build mappgraph.BuildOptions // input graph
}

// New is the Factory of "external".
func New(cfg methods.Config) (methods.Method, error) {
	p := DefaultParams()
	if err := cfg.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	prog, err := resolveProgram(p.Command[0], cfg.Dir)
	if err != nil {
		return nil, err
	}
	m := &Method{p: p, prog: prog, dir: cfg.Dir, seed: cfg.Seed, workers: cfg.Workers, log: cfg.Log,
		note: cfg.Noter(), plugin: strings.Join(p.Command, " ")}
	switch p.Input {
	case InputAppScanner:
		as, err := appscanner.New(methods.Config{Workers: 1}.Complete())
		if err != nil {
			return nil, err
		}
		return &staged{Method: m, as: as.(*appscanner.Method)}, nil
	case InputGraph:
		return &staged{Method: m, build: mappgraph.DefaultBuildOptions}, nil
	}
	return m, nil
}

// resolveProgram returns the program to run: a name without a slash is
// looked up in PATH, a relative path is relative to dir. Its errors are
// ParamErrors of the key command.
func resolveProgram(prog, dir string) (string, error) {
	if !strings.ContainsRune(prog, '/') {
		path, err := exec.LookPath(prog)
		if err != nil {
			return "", badParam("command", "must be a program in PATH or a path to one", prog)
		}
		return path, nil
	}
	path := prog
	if !filepath.IsAbs(prog) && dir != "" {
		path = filepath.Join(dir, prog)
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", badParam("command", fmt.Sprintf("names no file (%s: no such file)", path), prog)
	case err != nil:
		return "", badParam("command", fmt.Sprintf("cannot be read: %v", err), prog)
	case st.IsDir() || st.Mode()&0o111 == 0:
		return "", badParam("command", fmt.Sprintf("must be an executable file (%s is not)", path), prog)
	}
	return path, nil
}

// Name returns "external".
func (m *Method) Name() string { return "external" }

// Inputs reports that the method reads packets (every input is computed
// from packets); with input graph it also takes prebuilt graphs.
func (m *Method) Inputs() methods.Input {
	if m.p.Input == InputGraph {
		return methods.Packets | methods.Graphs
	}
	return methods.Packets
}

// DetectsUnknown returns the parameter detects_unknown.
func (m *Method) DetectsUnknown() bool { return m.p.DetectsUnknown }

// Fit writes the training samples with their packets and runs the
// plugin's fit call.
func (m *Method) Fit(ctx context.Context, train []methods.Sample) error {
	return m.fit(ctx, metasOf(train), func(dir string, ids []string) error {
		return writePackets(dir, ids, train)
	})
}

// Predict writes the test samples with their packets, runs the plugin's
// predict call and reads its predictions.
func (m *Method) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return m.predict(ctx, metasOf(test), func(dir string, ids []string) error {
		return writePackets(dir, ids, test)
	})
}

// FeatureKey is that of the Go method whose features the input is.
func (s *staged) FeatureKey() string {
	if s.as != nil {
		return s.as.FeatureKey()
	}
	return graphs.FeatureKey(s.build)
}

// Features reduces a sample to its flows or its graph.
func (s *staged) Features(smp methods.Sample) ([]byte, error) {
	if s.as != nil {
		return s.as.Features(smp)
	}
	return graphs.Features(&smp, s.build)
}

// Fit is FitFeatures of the encoded samples.
func (s *staged) Fit(ctx context.Context, train []methods.Sample) error {
	return methods.FitVia(ctx, s, train, s.workers)
}

// Predict is PredictFeatures of the encoded samples.
func (s *staged) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return methods.PredictVia(ctx, s, test, s.workers)
}

// FitFeatures writes the training samples with their flows or graphs and
// runs the plugin's fit call.
func (s *staged) FitFeatures(ctx context.Context, train []methods.Encoded) error {
	return s.fit(ctx, metasOfEncoded(train), s.writer(ctx, train))
}

// PredictFeatures writes the test samples with their flows or graphs,
// runs the plugin's predict call and reads its predictions.
func (s *staged) PredictFeatures(ctx context.Context, test []methods.Encoded) ([]methods.Prediction, error) {
	return s.predict(ctx, metasOfEncoded(test), s.writer(ctx, test))
}

// writer returns the function writing the input files of samples.
func (s *staged) writer(ctx context.Context, samples []methods.Encoded) func(dir string, ids []string) error {
	if s.as != nil {
		return func(dir string, ids []string) error { return writeFlows(dir, ids, samples) }
	}
	return func(dir string, ids []string) error { return writeGraphs(ctx, dir, ids, samples) }
}
