package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"

	"appbench/methods"
	"appbench/resultfmt"
)

// chatty is a test method: majority class, writing log lines in pieces
// (the last without a newline) and a note, twice, in Fit.
type chatty struct {
	methods.Method
	log  io.Writer
	note func(string)
}

func (c chatty) Inputs() methods.Input { return methods.Packets | methods.Graphs }

func (c chatty) Fit(ctx context.Context, train []methods.Sample) error {
	for _, s := range []string{"fit ", "line one\nfit line ", "two\n", "unterminated"} {
		io.WriteString(c.log, s)
	}
	c.note("test-chatty: a note")
	c.note("test-chatty: a note")
	return c.Method.Fit(ctx, train)
}

func init() {
	methods.Register("test-chatty", func(cfg methods.Config) (methods.Method, error) {
		f, _ := methods.Lookup("majority")
		m, err := f(cfg)
		return chatty{m, cfg.Log, cfg.Noter()}, err
	})
}

// TestCellLabel checks the label of a cell: method, short swept values,
// repetition.
func TestCellLabel(t *testing.T) {
	c := &Cell{Method: "mappgraph", Repeat: 2, Point: []resultfmt.Coord{
		{Param: "methods.mappgraph.params.k", Value: 10},
		{Param: "dataset.window", Value: "30s"},
		{Param: "dataset.nodes+dataset.test_fraction", Value: "small"},
		{Param: "methods.mappgraph.params.layers", Value: []any{1024, 1024, 1024, 512, 256}},
	}}
	want := "mappgraph k=10 window=30s nodes+test_fraction=small layers=[1024,1024,1024,5... #2"
	if got := c.Label(); got != want {
		t.Errorf("label %q, want %q", got, want)
	}
}

// TestCellLogLines checks that two cells writing byte by byte at the same
// time give whole lines, each with its cell's prefix, and that Flush ends a
// pending line.
func TestCellLogLines(t *testing.T) {
	var buf bytes.Buffer
	shared := &syncWriter{w: &buf}
	cells := []*Cell{{Method: "a", Repeat: 0}, {Method: "b", Repeat: 1}}
	var wg sync.WaitGroup
	for _, c := range cells {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := newCellLog(shared, c, true)
			for i := 0; i < 50; i++ {
				for _, b := range []byte(fmt.Sprintf("%s line %d\n", c.Method, i)) {
					l.Write([]byte{b})
				}
			}
			l.Write([]byte(c.Method + " last"))
			l.Flush()
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 102 {
		t.Fatalf("%d lines, want 102", len(lines))
	}
	for _, ln := range lines {
		ok := false
		for _, c := range cells {
			p := "[" + c.Label() + "] " + c.Method + " "
			ok = ok || strings.HasPrefix(ln, p) && !strings.Contains(ln[len(p):], "[")
		}
		if !ok {
			t.Errorf("mixed or unprefixed line %q", ln)
		}
	}
	buf.Reset()
	l := newCellLog(shared, cells[0], false)
	l.Write([]byte("x\ny"))
	l.Flush()
	l.Flush()
	if buf.String() != "x\ny\n" {
		t.Errorf("unprefixed log %q", buf.String())
	}
}

// TestRunCellLogsAndNotes checks that with two workers every method line
// carries its cell's label, that each cell stores its distinct notes, that
// the summary lists each note once, and that every cell is announced before
// it ends.
func TestRunCellLogsAndNotes(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(`dataset: {kind: graphs, path: %s}
methods: [{name: test-chatty}]
repeats: 3
workers: 2
`, graphFixture(t)))
	var log bytes.Buffer
	started := make(map[*Cell]bool)
	var order []string
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir(), Log: &log, Progress: func(e Event) {
		if e.Started {
			started[e.Cell] = true
		} else if !started[e.Cell] {
			order = append(order, e.Cell.ID)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(order) > 0 {
		t.Errorf("cells %v ended without a start event", order)
	}
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	if len(lines) != 9 {
		t.Errorf("%d log lines, want 9:\n%s", len(lines), log.String())
	}
	for _, ln := range lines {
		var ok bool
		for _, c := range x.Cells {
			for _, m := range []string{"fit line one", "fit line two", "unterminated"} {
				ok = ok || ln == "["+c.Label()+"] "+m
			}
		}
		if !ok {
			t.Errorf("log line %q", ln)
		}
	}
	for _, r := range sum.Results {
		if !reflect.DeepEqual(r.MethodNotes, []string{"test-chatty: a note"}) {
			t.Errorf("%s: method notes %q", r.ID, r.MethodNotes)
		}
	}
	if want := []string{"test-chatty: a note (3 cells)"}; !reflect.DeepEqual(sum.Notes, want) {
		t.Errorf("summary notes %q, want %q", sum.Notes, want)
	}
}
