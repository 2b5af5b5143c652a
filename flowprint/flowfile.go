package flowprint

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"

	"appbench/datasets"
	"appbench/internal/atomicfile"
)

// FlowFileFormat names the preprocessed-flow file format, written in its
// first line.
const FlowFileFormat = "appbench-flowprint-flows"

// The preprocessed-flow file (the command line's --write/--read; the
// reference pickles its Flow objects instead) is gzip-compressed JSON
// lines. The first line is a header
//
//	{"format": "appbench-flowprint-flows", "version": 1, "flows": N}
//
// and each following line one flow:
//
//	{"label": "a.pcap", "proto": "tcp", "stream": 3, "src": "10.0.0.2", "sport": 50000,
//	 "dst": "1.2.3.4", "dport": 443, "cert": "123456789", "times": [1.5, 1.75],
//	 "lengths": [60, -1500]}
//
// "cert" is the decimal certificate serial number or absent; times are
// float64 seconds, written so that they read back to the same value.
type flowLine struct {
	Label   string    `json:"label"`
	Proto   string    `json:"proto"`
	Stream  int64     `json:"stream"`
	Src     string    `json:"src"`
	SrcPort uint16    `json:"sport"`
	Dst     string    `json:"dst"`
	DstPort uint16    `json:"dport"`
	Cert    string    `json:"cert,omitempty"`
	Times   []float64 `json:"times"`
	Lengths []int     `json:"lengths"`
}

type flowHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Flows   int    `json:"flows"`
}

// WriteFlows writes flows in the preprocessed-flow format to w.
func WriteFlows(w io.Writer, flows []Flow) error {
	zw := gzip.NewWriter(w)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(flowHeader{Format: FlowFileFormat, Version: 1, Flows: len(flows)}); err != nil {
		return fmt.Errorf("flowprint: writing flows: %w", err)
	}
	for i := range flows {
		f := &flows[i]
		line := flowLine{Label: f.Label, Proto: f.Proto.String(), Stream: f.Stream,
			Src: f.Src.String(), SrcPort: f.SrcPort, Dst: f.Dst.String(), DstPort: f.DstPort,
			Cert: f.Cert, Times: f.Times, Lengths: f.Lengths}
		if err := enc.Encode(&line); err != nil {
			return fmt.Errorf("flowprint: writing flow %d: %w", i, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("flowprint: writing flows: %w", err)
	}
	return nil
}

// SaveFlows writes flows to file as internal/atomicfile does: a regular
// file (or the target of a link) through a temporary file renamed into
// place, a device or FIFO directly, "-" to standard output.
func SaveFlows(file string, flows []Flow) error {
	if err := atomicfile.Write(file, func(w *bufio.Writer) error { return WriteFlows(w, flows) }); err != nil {
		return fmt.Errorf("flowprint: %w", err)
	}
	return nil
}

// ErrFlowFile is wrapped by errors about a damaged preprocessed-flow file.
var ErrFlowFile = errors.New("bad preprocessed-flow file")

// ReadFlows reads a preprocessed-flow file; name is used in errors, which
// give the line number.
func ReadFlows(r io.Reader, name string) ([]Flow, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %w", name, err, ErrFlowFile)
	}
	defer zr.Close()
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: line 1: %w", name, err)
		}
		return nil, fmt.Errorf("%s: empty file: %w", name, ErrFlowFile)
	}
	var h flowHeader
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Format != FlowFileFormat {
		return nil, fmt.Errorf("%s: line 1: not a %s header: %w", name, FlowFileFormat, ErrFlowFile)
	}
	if h.Version != 1 {
		return nil, fmt.Errorf("%s: line 1: version %d not supported: %w", name, h.Version, ErrFlowFile)
	}
	flows := make([]Flow, 0, max(h.Flows, 0))
	for line := 2; sc.Scan(); line++ {
		var l flowLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s: line %d: %v: %w", name, line, err, ErrFlowFile)
		}
		f, err := l.flow()
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %v: %w", name, line, err, ErrFlowFile)
		}
		flows = append(flows, f)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(flows) != h.Flows {
		return nil, fmt.Errorf("%s: %d flows, header says %d (truncated file?): %w", name, len(flows), h.Flows, ErrFlowFile)
	}
	return flows, nil
}

func (l *flowLine) flow() (Flow, error) {
	src, err := netip.ParseAddr(l.Src)
	if err != nil {
		return Flow{}, fmt.Errorf("src: %v", err)
	}
	dst, err := netip.ParseAddr(l.Dst)
	if err != nil {
		return Flow{}, fmt.Errorf("dst: %v", err)
	}
	if len(l.Times) == 0 || len(l.Times) != len(l.Lengths) {
		return Flow{}, fmt.Errorf("%d times and %d lengths", len(l.Times), len(l.Lengths))
	}
	if l.Cert != "" {
		c, err := canonicalSerial(l.Cert)
		if err != nil {
			return Flow{}, err
		}
		l.Cert = c
	}
	f := Flow{Label: l.Label, Proto: datasets.ParseProtocol(l.Proto), Stream: l.Stream, Src: src, SrcPort: l.SrcPort,
		Dst: dst, DstPort: l.DstPort, Cert: l.Cert, Times: l.Times, Lengths: l.Lengths, Start: l.Times[0], End: l.Times[0]}
	for _, t := range l.Times {
		f.Start, f.End = min(f.Start, t), max(f.End, t)
	}
	return f, nil
}

// LoadFlows reads a preprocessed-flow file.
func LoadFlows(file string) ([]Flow, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("flowprint: %w", err)
	}
	defer f.Close()
	return ReadFlows(bufio.NewReader(f), file)
}
