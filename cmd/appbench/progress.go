package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"appbench/bench"
)

// progressLine draws the progress of a run on one terminal line: cells
// done, elapsed time, the estimated time left and the running cells. It is
// redrawn every second and whenever a cell starts or ends; log lines and
// failures written through it appear above it.
type progressLine struct {
	mu      sync.Mutex
	w       io.Writer
	name    string
	workers int
	width   int // columns of the terminal
	now     func() time.Time
	start   time.Time

	total, done int
	running     []running      // in start order
	left        map[string]int // cells of each method not ended yet
	spent       map[string]time.Duration
	ended       map[string]int // cells of each method finished, with spent their time
	shown       bool           // a progress line is on the terminal
	stop        chan struct{}
	stopped     chan struct{}
}

// running is a cell that started and has not ended.
type running struct {
	cell  *bench.Cell
	since time.Time
}

// newProgressLine returns the progress line of a run of cells (those of
// the shard) with workers at a time on a terminal width columns wide; now
// is the clock.
func newProgressLine(w io.Writer, name string, cells []*bench.Cell, workers, width int, now func() time.Time) *progressLine {
	p := &progressLine{
		w: w, name: name, workers: max(workers, 1), width: width, now: now, start: now(),
		total: len(cells), left: make(map[string]int), spent: make(map[string]time.Duration), ended: make(map[string]int),
	}
	for _, c := range cells {
		p.left[c.Method]++
	}
	return p
}

// tick redraws the line every interval until finish.
func (p *progressLine) tick(interval time.Duration) {
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
}

// finish stops the ticking and clears the line.
func (p *progressLine) finish() {
	if p.stop != nil {
		close(p.stop)
		<-p.stopped
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

// event records a bench.Event and redraws the line; a failure is printed
// above it.
func (p *progressLine) event(e bench.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	m := e.Cell.Method
	switch {
	case e.Started:
		p.running = append(p.running, running{e.Cell, now})
	case e.Skipped:
		p.left[m]--
	default:
		for i, r := range p.running {
			if r.cell == e.Cell {
				if e.Err == nil {
					p.spent[m] += now.Sub(r.since)
					p.ended[m]++
				}
				p.running = append(p.running[:i], p.running[i+1:]...)
				break
			}
		}
		p.left[m]--
		if e.Err != nil {
			p.clear()
			fmt.Fprintf(p.w, "[%d/%d] %s failed: %v\n", e.Done, e.Total, e.Cell.ID, e.Err)
		}
	}
	p.done = e.Done
	p.draw()
}

// Write prints log lines above the progress line.
func (p *progressLine) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	n, err := p.w.Write(b)
	p.draw()
	return n, err
}

// clear removes the progress line from the terminal.
func (p *progressLine) clear() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// draw writes the progress line over the previous one.
func (p *progressLine) draw() {
	io.WriteString(p.w, "\r"+p.render(p.now())+"\x1b[K")
	p.shown = true
}

// eta estimates the time left at now: for each method, the mean duration
// of its finished cells (of all finished cells for a method without one)
// times its cells not ended, less the time the running cells have spent
// already, divided by the cells that can run at the same time. ok is false
// before any cell has finished.
func (p *progressLine) eta(now time.Time) (left time.Duration, ok bool) {
	var all time.Duration
	var n, cells int
	for m, d := range p.spent {
		all += d
		n += p.ended[m]
	}
	if n == 0 {
		return 0, false
	}
	mean := func(m string) time.Duration {
		if p.ended[m] > 0 {
			return p.spent[m] / time.Duration(p.ended[m])
		}
		return all / time.Duration(n)
	}
	var work time.Duration
	for m, k := range p.left {
		work += mean(m) * time.Duration(k)
		cells += k
	}
	for _, r := range p.running {
		work -= min(now.Sub(r.since), mean(r.cell.Method))
	}
	if cells == 0 {
		return 0, true
	}
	return max(work, 0) / time.Duration(min(p.workers, cells)), true
}

// render returns the progress line at now, cut to the terminal width:
// name, count, bar, elapsed time, ETA and the running cells with their
// times, the last ones summarised as "+N more" when they do not fit.
func (p *progressLine) render(now time.Time) string {
	const barWidth = 20
	fill := 0
	if p.total > 0 {
		fill = barWidth * p.done / p.total
	}
	eta := "ETA ?"
	if d, ok := p.eta(now); ok {
		eta = "ETA " + roundSeconds(d)
	}
	s := fmt.Sprintf("%s %d/%d [%s%s] %s, %s", p.name, p.done, p.total,
		strings.Repeat("#", fill), strings.Repeat("-", barWidth-fill), roundSeconds(now.Sub(p.start)), eta)
	s += p.renderRunning(now, p.width-len(s))
	if len(s) > p.width && p.width > 3 {
		s = s[:p.width-3] + "..."
	}
	return s
}

// renderRunning lists the running cells with their times in at most room
// bytes: " | running: a #0 5s, b #1 2s, +3 more", or " | 5 running" when
// not even one fits.
func (p *progressLine) renderRunning(now time.Time, room int) string {
	const head = " | running: "
	n := len(p.running)
	if n == 0 {
		return ""
	}
	list, shown := "", 0
	for i, r := range p.running {
		item := r.cell.Label() + " " + roundSeconds(now.Sub(r.since))
		if i > 0 {
			item = ", " + item
		}
		more := ""
		if rest := n - i - 1; rest > 0 {
			more = fmt.Sprintf(", +%d more", rest)
		}
		if len(head)+len(list)+len(item)+len(more) > room {
			break
		}
		list, shown = list+item, i+1
	}
	switch {
	case shown == 0:
		return fmt.Sprintf(" | %d running", n)
	case shown < n:
		return fmt.Sprintf("%s%s, +%d more", head, list, n-shown)
	}
	return head + list
}

// roundSeconds prints d rounded to the second ("1m5s").
func roundSeconds(d time.Duration) string {
	return max(d, 0).Round(time.Second).String()
}
