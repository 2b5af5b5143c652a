package external

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"appbench/methods"
	"appbench/methods/methodtest"
)

// fixture makes 3 apps × 2 captures: chunks 1-3 of each capture train,
// chunk 4 tests.
func fixture() (train, test []methods.Sample) {
	rng := rand.New(rand.NewPCG(1, 2))
	for app := range 3 {
		for c := range 2 {
			for k := 1; k <= 4; k++ {
				s := methods.Sample{Label: fmt.Sprintf("app%d", app), Capture: fmt.Sprintf("app%d/cap%d", app, c),
					Chunk: k, Start: float64(1_700_000_000 + 60*k), Stop: float64(1_700_000_060 + 60*k), Packets: methodtest.AppTraffic(rng, app)}
				if k < 4 {
					train = append(train, s)
				} else {
					test = append(test, s)
				}
			}
		}
	}
	return train, test
}

// plugin builds the method from YAML parameters, with testdata as the
// experiment's folder, and a private temporary folder that the test checks
// is left empty.
func plugin(t *testing.T, params string) (methods.Method, *bytes.Buffer, *[]string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Cleanup(func() {
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("temporary folder not removed: %s", left[0].Name())
		}
	})
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	notes := new([]string)
	f, err := methods.Lookup("external")
	if err != nil {
		t.Fatal(err)
	}
	m, err := f(methods.Config{
		Decode: func(v any) error {
			dec := yaml.NewDecoder(strings.NewReader(params))
			dec.KnownFields(true)
			return dec.Decode(v)
		},
		Seed: 7, Workers: 2, Dir: dir, Log: &log, Note: func(s string) { *notes = append(*notes, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, &log, notes
}

func fitPredict(m methods.Method, train, test []methods.Sample) ([]methods.Prediction, error) {
	ctx := context.Background()
	if err := m.Fit(ctx, train); err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	return m.Predict(ctx, test)
}

// TestCorrectPlugin runs the correct plugin on each input: every test
// sample gets its capture's label and its own chunk number, so answers are
// matched to samples by id; the plugin sees the environment, the working
// directory and the input files it expects.
func TestCorrectPlugin(t *testing.T) {
	for _, input := range []string{"packets", "appscanner", "graph"} {
		t.Run(input, func(t *testing.T) {
			m, log, _ := plugin(t, fmt.Sprintf("command: [./ok.sh]\ninput: %s\nenv: {INPUT: %s, EXTRA: hello}\n", input, input))
			_, staged := m.(methods.Featurizer)
			if staged != (input != "packets") {
				t.Errorf("feature stage: %v", staged)
			}
			train, test := fixture()
			preds, err := fitPredict(m, train, test)
			if err != nil {
				t.Fatalf("%v\nlog:\n%s", err, log)
			}
			for i, p := range preds {
				if p.Label != test[i].Label || p.Score != float64(test[i].Chunk) || p.Unknown {
					t.Errorf("test %d: %+v, want %s with score %d", i, p, test[i].Label, test[i].Chunk)
				}
			}
			dir, _ := filepath.Abs("testdata")
			want := "./ok.sh fit: seed=7 workers=2 extra=hello pwd=" + dir + "\n"
			if !strings.Contains(log.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, log)
			}
		})
	}
}

// TestPluginErrors checks that each way a plugin fails is an error naming
// the plugin, the call and, for predictions, the file and line.
func TestPluginErrors(t *testing.T) {
	for _, c := range []struct {
		script string
		want   []string
	}{
		{"exit1.sh", []string{"external ./exit1.sh: fit: exit status 1", "  | loading the training samples\n  | Traceback: something went wrong"}},
		{"missing.sh", []string{"external ./missing.sh: predict: ", "predictions.csv:6: end of file, but no row for 1 of the 6 test ids (test-000006)"}},
		{"dup.sh", []string{"predict: ", "predictions.csv:3: id \"test-000001\" again (first on line 2)"}},
		{"unknown.sh", []string{"predict: ", "predictions.csv:8: id \"test-999999\" is not a test id"}},
		{"badscore.sh", []string{"predict: ", "predictions.csv:3: id test-000002: score \"high\" is not a finite number"}},
	} {
		t.Run(c.script, func(t *testing.T) {
			m, _, _ := plugin(t, "command: [./"+c.script+"]\n")
			train, test := fixture()
			_, err := fitPredict(m, train, test)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

// TestNoisyPlugin checks that a plugin printing much to standard error
// neither blocks nor floods the error: the log gets every line, prefixed,
// the error the last 20.
func TestNoisyPlugin(t *testing.T) {
	m, log, _ := plugin(t, "command: [./noisy.sh]\n")
	train, test := fixture()
	_, err := fitPredict(m, train, test)
	if err == nil || !strings.Contains(err.Error(), "fit: exit status 3; last 20 lines of its standard error:\n  | noise line 19981\n") ||
		!strings.HasSuffix(err.Error(), "  | noise line 20000") || strings.Contains(err.Error(), "line 19980\n") {
		t.Fatalf("error %v", err)
	}
	if n := strings.Count(log.String(), "./noisy.sh fit: noise line "); n != 20000 {
		t.Errorf("log has %d of the 20000 lines", n)
	}
}

// TestKeepFiles checks that keep_files keeps the folders and notes where.
func TestKeepFiles(t *testing.T) {
	tmp := t.TempDir()
	m, _, notes := plugin(t, "command: [./ok.sh]\nkeep_files: true\n")
	t.Setenv("TMPDIR", tmp)
	train, test := fixture()
	if _, err := fitPredict(m, train, test); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 1 || len(*notes) != 1 || !strings.Contains((*notes)[0], filepath.Join(tmp, left[0].Name())) {
		t.Fatalf("left %v, notes %q", left, *notes)
	}
	for _, f := range []string{"train/samples.csv", "train/packets/train-000001.csv", "model/labels", "test/samples.csv", "predictions.csv"} {
		if _, err := os.Stat(filepath.Join(tmp, left[0].Name(), f)); err != nil {
			t.Error(err)
		}
	}
}

// TestBadParams checks that bad parameters are refused when the method is
// built.
func TestBadParams(t *testing.T) {
	methodtest.CheckParamErrors(t, "external", []methodtest.BadParam{
		{Key: "command", Params: "input: packets\n"},
		{Key: "command", Params: "command: ['']\n"},
		{Key: "input", Params: "command: [testdata/ok.sh]\ninput: flows\n"},
		{Key: "timeout", Params: "command: [testdata/ok.sh]\ntimeout: 0s\n"},
		{Key: "env", Params: "command: [testdata/ok.sh]\nenv: {A=B: 1}\n"},
		{Key: "env", Params: "command: [testdata/ok.sh]\nenv: {APPBENCH_SEED: 1}\n"},
		{Key: "command", Params: "command: [testdata/nosuch.sh]\n"},
		{Key: "command", Params: "command: [testdata]\n"},
		{Key: "command", Params: "command: [nosuch-program-xyz]\n"},
	})
	for _, c := range []struct{ params, want string }{
		{"input: packets\n", "command: is required"},
		{"command: [./ok.sh]\ninput: flows\n", `input: must be packets, appscanner or graph (got "flows")`},
		{"command: [./ok.sh]\ntimeout: 0s\n", "(got 0s)"},
		{"command: [./nosuch.sh]\n", "testdata/nosuch.sh: no such file"},
		{"command: [nosuch-program-xyz]\n", `must be a program in PATH or a path to one (got "nosuch-program-xyz")`},
		{"command: [./ok.sh]\nenv: {APPBENCH_SEED: 1}\n", `must not set a variable the harness sets (got "APPBENCH_SEED")`},
		{"command: [./ok.sh]\ntrees: 3\n", "field trees not found"},
	} {
		f, _ := methods.Lookup("external")
		_, err := f(methods.Config{Dir: "testdata", Decode: func(v any) error {
			dec := yaml.NewDecoder(strings.NewReader(c.params))
			dec.KnownFields(true)
			return dec.Decode(v)
		}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.params, err, c.want)
		}
	}
}

// TestParsePredictions checks the strict reading of predictions.csv.
func TestParsePredictions(t *testing.T) {
	ids := []string{"a", "b"}
	for _, c := range []struct{ src, want string }{
		{"id,label,score,unknown\nb,x,1,true\na,,0,1\n", ""},
		{"id,label,score\n", "p.csv:1: wrong number of fields"},
		{"id,label,score,unk\n", "p.csv:1: header"},
		{"", "p.csv:1: empty file"},
		{"id,label,score,unknown\na,x,1,0\nb,x,1\n", "p.csv:3: wrong number of fields"},
		{"id,label,score,unknown\na,x,NaN,0\n", "p.csv:2: id a: score \"NaN\""},
		{"id,label,score,unknown\na,x,1,maybe\n", "p.csv:2: id a: unknown \"maybe\""},
		{"id,label,score,unknown\na,,1,0\n", "p.csv:2: id a: empty label"},
		{"id,label,score,unknown\na,x,1,0\n", "p.csv:2: end of file, but no row for 1 of the 2 test ids (b)"},
	} {
		preds, err := parsePredictions(strings.NewReader(c.src), "p.csv", ids)
		if c.want == "" {
			if err != nil || preds[0] != (methods.Prediction{Unknown: true}) || preds[1] != (methods.Prediction{Label: "x", Score: 1, Unknown: true}) {
				t.Errorf("%q: %+v, %v", c.src, preds, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
	}
}

// TestSharedFeatureKeys checks that the staged inputs share the features
// of the Go methods they mirror.
func TestSharedFeatureKeys(t *testing.T) {
	for input, other := range map[string]string{"appscanner": "appscanner", "graph": "graph-rf"} {
		m, _, _ := plugin(t, "command: [./ok.sh]\ninput: "+input+"\n")
		o, err := methodtest.Build(other, "", 1, 1)
		if err != nil {
			t.Skip(err) // the other method is not linked in
		}
		if k, ok := m.(methods.Featurizer).FeatureKey(), o.(methods.Featurizer).FeatureKey(); k != ok {
			t.Errorf("input %s: key %q, %s's %q", input, k, other, ok)
		}
	}
}

// TestCloseWithoutPredict checks that Close removes what Fit left when
// Predict never runs.
func TestCloseWithoutPredict(t *testing.T) {
	m, _, _ := plugin(t, "command: [./ok.sh]\n")
	train, _ := fixture()
	if err := m.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	if err := m.(interface{ Close() error }).Close(); err != nil {
		t.Fatal(err)
	}
}
