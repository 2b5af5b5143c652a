package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"appbench/bench"
	"appbench/resultfmt"
)

// fakeRun is a progress line over cells of methods a (4 cells) and b (2)
// with two workers, on a clock set by hand.
type fakeRun struct {
	p     *progressLine
	out   bytes.Buffer
	now   time.Time
	cells map[string]*bench.Cell
	done  int
}

func newFakeRun(width int) *fakeRun {
	f := &fakeRun{now: time.Unix(1_700_000_000, 0), cells: make(map[string]*bench.Cell)}
	var cells []*bench.Cell
	for _, id := range []string{"a0", "a1", "a2", "a3", "b0", "b1"} {
		c := &bench.Cell{ID: id, Method: id[:1], Repeat: int(id[1] - '0'),
			Point: []resultfmt.Coord{{Param: "methods." + id[:1] + ".params.k", Value: 10}}}
		f.cells[id] = c
		cells = append(cells, c)
	}
	f.p = newProgressLine(&f.out, "x", cells, 2, width, func() time.Time { return f.now })
	return f
}

// at sets the clock to s seconds after the start.
func (f *fakeRun) at(s float64) *fakeRun {
	f.now = time.Unix(1_700_000_000, 0).Add(time.Duration(s * float64(time.Second)))
	return f
}

func (f *fakeRun) start(id string) {
	f.p.event(bench.Event{Done: f.done, Total: 6, Cell: f.cells[id], Started: true})
}

func (f *fakeRun) end(id string, err error) {
	if err == nil {
		f.done++
	}
	f.p.event(bench.Event{Done: f.done, Total: 6, Cell: f.cells[id], Err: err})
}

func (f *fakeRun) eta() string {
	d, ok := f.p.eta(f.now)
	if !ok {
		return "?"
	}
	return d.String()
}

// TestProgressETA checks the estimate: per method, the mean duration of its
// finished cells (of all finished cells when it has none) times its cells
// not ended, less the time spent by running cells, over the workers.
func TestProgressETA(t *testing.T) {
	f := newFakeRun(200)
	f.start("a0")
	f.start("a1")
	if got := f.at(5).eta(); got != "?" {
		t.Errorf("ETA before any cell finished: %s", got)
	}
	f.at(10).end("a0", nil)
	f.start("a2")
	f.at(20).end("a1", nil) // a: mean 15s
	// a2 runs since 10s (10s spent), a3 waits; b has no mean yet: 15s.
	// (15 + 15 - 10 + 2*15) / 2 = 25s.
	if got := f.eta(); got != "25s" {
		t.Errorf("ETA %s, want 25s", got)
	}
	f.start("b0")
	f.at(25).end("a2", nil) // a: mean 15s still (10, 20, 15)
	f.start("a3")
	f.at(80).end("b0", nil) // b: mean 60s
	// a3 ran 55s, more than a's mean: counted as done. b1: 60s; 2 cells
	// left for 2 workers: (15 - 15 + 60) / 2 = 30s.
	if got := f.eta(); got != "30s" {
		t.Errorf("ETA %s, want 30s", got)
	}
	f.at(90).end("a3", errors.New("boom")) // failures count no time
	if f.p.ended["a"] != 3 || f.p.left["a"] != 0 {
		t.Errorf("a: %d ended, %d left", f.p.ended["a"], f.p.left["a"])
	}
	// One cell left: one worker busy, 60s.
	if got := f.eta(); got != "1m0s" {
		t.Errorf("ETA %s, want 1m0s", got)
	}
	f.start("b1")
	f.at(150).end("b1", nil)
	if got := f.eta(); got != "0s" {
		t.Errorf("ETA at the end %s, want 0s", got)
	}
}

// TestProgressRender checks the line: count, bar, elapsed time, ETA and the
// running cells with their times, cut to the width with "+N more".
func TestProgressRender(t *testing.T) {
	f := newFakeRun(200)
	f.start("a0")
	f.start("a1")
	f.at(3)
	line := f.p.render(f.now)
	for _, want := range []string{"x 0/6 [", "] 3s, ETA ?", "running: a k=10 #0 3s, a k=10 #1 3s"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	f.at(10).end("a0", nil)
	f.start("a2")
	f.start("b0")
	f.at(72)
	line = f.p.render(f.now)
	for _, want := range []string{"x 1/6 [###---", "] 1m12s, ETA ", "running: a k=10 #1 1m12s, a k=10 #2 1m2s, b k=10 #0 1m2s"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	// Ticking redraws with the clock even when no cell ends.
	f.out.Reset()
	f.at(73).p.draw()
	if !strings.Contains(f.out.String(), "] 1m13s, ETA") {
		t.Errorf("redraw %q", f.out.String())
	}
	for width, want := range map[int]string{60: " | 3 running", 90: "running: a k=10 #1 1m13s, +2 more"} {
		f.p.width = width
		line = f.p.render(f.now)
		if len(line) > width || !strings.HasSuffix(line, want) {
			t.Errorf("width %d: %q (%d), want it to end with %q", width, line, len(line), want)
		}
	}
}

// TestProgressWrites checks that log lines and failures are written above
// the progress line, which is redrawn after them and cleared at the end.
func TestProgressWrites(t *testing.T) {
	f := newFakeRun(100)
	f.start("a0")
	f.out.Reset()
	fmt.Fprint(f.p, "[a k=10 #0] epoch 1/2\n")
	got := f.out.String()
	if !strings.HasPrefix(got, "\r\x1b[K[a k=10 #0] epoch 1/2\n\rx 0/6") {
		t.Errorf("log line written as %q", got)
	}
	f.out.Reset()
	f.end("a0", errors.New("boom"))
	if !strings.HasPrefix(f.out.String(), "\r\x1b[K[0/6] a0 failed: boom\n\rx 0/6") {
		t.Errorf("failure written as %q", f.out.String())
	}
	f.out.Reset()
	f.p.tick(time.Hour)
	f.p.finish()
	if f.out.String() != "\r\x1b[K" {
		t.Errorf("finish wrote %q", f.out.String())
	}
}
