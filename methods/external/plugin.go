package external

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"appbench/methods"
)

// tailLines is the number of standard-error lines an error quotes.
const tailLines = 20

// maxLine bounds the bytes kept of one output line.
const maxLine = 4096

// fit writes the training side, makes the model folder and runs fit. The
// cell's temporary folder stays until Predict.
func (m *Method) fit(ctx context.Context, ms []meta, write func(dir string, ids []string) error) (err error) {
	if len(ms) == 0 {
		return fmt.Errorf("external: no training samples")
	}
	m.cleanup()
	root, err := os.MkdirTemp("", "appbench-external-")
	if err != nil {
		return fmt.Errorf("external: %w", err)
	}
	m.root = root
	defer func() {
		if err != nil {
			m.cleanup()
		}
	}()
	train, model := filepath.Join(root, "train"), filepath.Join(root, "model")
	if err := m.writeSide(train, "train", ms, true, write); err != nil {
		return err
	}
	if err := os.Mkdir(model, 0o755); err != nil {
		return fmt.Errorf("external: %w", err)
	}
	if err := m.call(ctx, "fit", train, model); err != nil {
		return err
	}
	if !m.p.KeepFiles {
		if err := os.RemoveAll(train); err != nil {
			return fmt.Errorf("external: %w", err)
		}
	}
	return nil
}

// predict writes the test side, runs predict and reads the predictions;
// then it removes the cell's temporary folder.
func (m *Method) predict(ctx context.Context, ms []meta, write func(dir string, ids []string) error) ([]methods.Prediction, error) {
	if m.root == "" {
		return nil, fmt.Errorf("external: Predict before Fit")
	}
	defer m.cleanup()
	test, out := filepath.Join(m.root, "test"), filepath.Join(m.root, "predictions.csv")
	ids := sampleIDs("test", len(ms))
	if err := m.writeSide(test, "test", ms, false, write); err != nil {
		return nil, err
	}
	var tail []string
	if err := m.callTail(ctx, "predict", &tail, filepath.Join(m.root, "model"), test, out); err != nil {
		return nil, err
	}
	preds, err := readPredictions(out, ids)
	if err != nil {
		return nil, m.callErr("predict", err, tail)
	}
	return preds, nil
}

// writeSide writes one side's folder: samples.csv and the input files.
func (m *Method) writeSide(dir, side string, ms []meta, labels bool, write func(dir string, ids []string) error) error {
	ids := sampleIDs(side, len(ms))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("external: %w", err)
	}
	if err := writeSamples(dir, ids, ms, labels); err != nil {
		return fmt.Errorf("external: writing the %s samples: %w", side, err)
	}
	if err := write(dir, ids); err != nil {
		return fmt.Errorf("external: writing the %s input: %w", side, err)
	}
	return nil
}

// Close removes the cell's temporary folder when Predict did not (after a
// failed or cancelled run); the harness calls it at the end of each cell.
func (m *Method) Close() error {
	m.cleanup()
	return nil
}

// cleanup removes the cell's temporary folder, or notes where it is kept.
func (m *Method) cleanup() {
	if m.root == "" {
		return
	}
	if m.p.KeepFiles {
		m.note(fmt.Sprintf("external %s: kept its files in %s (keep_files: true)", m.plugin, m.root))
	} else if err := os.RemoveAll(m.root); err != nil {
		m.note(fmt.Sprintf("external %s: could not remove %s: %v", m.plugin, m.root, err))
	}
	m.root = ""
}

// call runs one call of the plugin: the command, the call's name and args.
func (m *Method) call(ctx context.Context, name string, args ...string) error {
	var tail []string
	return m.callTail(ctx, name, &tail, args...)
}

// callTail is call that also returns the last lines of standard error.
func (m *Method) callTail(ctx context.Context, name string, tail *[]string, args ...string) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, m.p.Timeout)
	defer cancel()
	argv := append(append(append([]string(nil), m.p.Command[1:]...), name), args...)
	cmd := exec.CommandContext(ctx, m.prog, argv...)
	cmd.Dir = m.dir
	cmd.Env = m.environ()
	inGroup(cmd)
	var mu sync.Mutex
	out := &lineLog{w: m.log, prefix: m.plugin + " " + name + ": ", mu: &mu}
	errOut := &lineLog{w: m.log, prefix: m.plugin + " " + name + ": ", keep: tailLines, mu: &mu}
	fmt.Fprintf(m.log, "external: running %s %s\n", m.plugin, strings.Join(append([]string{name}, args...), " "))
	t0 := time.Now()
	err := run(cmd, out, errOut)
	*tail = errOut.tail()
	switch {
	case parent.Err() != nil:
		return fmt.Errorf("external %s: %s: %w", m.plugin, name, parent.Err())
	case ctx.Err() != nil:
		return m.callErr(name, fmt.Errorf("timed out after %v (timeout)", m.p.Timeout), *tail)
	case err != nil:
		return m.callErr(name, err, *tail)
	}
	fmt.Fprintf(m.log, "external: %s %s took %v\n", m.plugin, name, time.Since(t0).Round(time.Millisecond))
	return nil
}

// callErr is the error of a call: the plugin, the call, the problem and
// the last lines of the plugin's standard error.
func (m *Method) callErr(name string, err error, tail []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "external %s: %s: %v", m.plugin, name, err)
	if len(tail) == 0 {
		b.WriteString(" (nothing on standard error)")
		return errors.New(b.String())
	}
	fmt.Fprintf(&b, "; last %d lines of its standard error:", len(tail))
	for _, l := range tail {
		b.WriteString("\n  | " + l)
	}
	return errors.New(b.String())
}

// environ is the calls' environment: the harness's, APPBENCH_SEED,
// APPBENCH_WORKERS, then env.
func (m *Method) environ() []string {
	env := append(os.Environ(), "APPBENCH_SEED="+strconv.FormatUint(m.seed, 10), "APPBENCH_WORKERS="+strconv.Itoa(m.workers))
	for k, v := range m.p.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// run starts cmd with its standard output and error copied line by line
// to out and errOut, waits for it, kills what is left of its process group
// and waits for the copies.
func run(cmd *exec.Cmd, out, errOut *lineLog) error {
	var readers sync.WaitGroup
	var pipes []*os.File
	for _, l := range []*lineLog{out, errOut} {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		defer w.Close()
		pipes = append(pipes, r)
		if l == out {
			cmd.Stdout = w
		} else {
			cmd.Stderr = w
		}
	}
	if err := cmd.Start(); err != nil {
		for _, r := range pipes {
			r.Close()
		}
		return err
	}
	cmd.Stdout.(*os.File).Close()
	cmd.Stderr.(*os.File).Close()
	for i, l := range []*lineLog{out, errOut} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			l.copy(pipes[i])
		}()
	}
	err := cmd.Wait()
	killGroup(cmd)
	done := make(chan struct{})
	go func() { readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		// A process outside the group still holds the pipes open.
	}
	for _, r := range pipes {
		r.Close()
	}
	<-done
	return err
}

// lineLog writes lines to a log with a prefix and keeps the last keep of
// them.
type lineLog struct {
	w      io.Writer
	prefix string
	keep   int
	mu     *sync.Mutex // shared by the lineLogs of one log
	last   []string
}

// copy reads lines from r until it ends.
func (l *lineLog) copy(r io.Reader) {
	br := bufio.NewReaderSize(r, maxLine)
	var line []byte
	for {
		part, more, err := br.ReadLine()
		if len(line) < maxLine {
			line = append(line, part[:min(len(part), maxLine-len(line))]...)
		}
		if err != nil {
			if len(line) > 0 {
				l.add(string(line))
			}
			return
		}
		if !more {
			l.add(string(line))
			line = line[:0]
		}
	}
}

func (l *lineLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s%s\n", l.prefix, s)
	if l.keep == 0 {
		return
	}
	if len(l.last) == l.keep {
		l.last = append(l.last[:0], l.last[1:]...)
	}
	l.last = append(l.last, s)
}

// tail returns the kept lines.
func (l *lineLog) tail() []string {
	return append([]string(nil), l.last...)
}
