package external

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"appbench/appscanner"
	"appbench/datasets"
	"appbench/internal/atomicfile"
	"appbench/methods"
	methodas "appbench/methods/appscanner"
	"appbench/methods/internal/graphs"
)

// meta is what samples.csv says of a sample.
type meta struct {
	label, capture string
	chunk          int
	start, stop    float64
}

func metasOf(samples []methods.Sample) []meta {
	out := make([]meta, len(samples))
	for i, s := range samples {
		out[i] = meta{s.Label, s.Capture, s.Chunk, s.Start, s.Stop}
	}
	return out
}

func metasOfEncoded(samples []methods.Encoded) []meta {
	out := make([]meta, len(samples))
	for i, s := range samples {
		out[i] = meta{s.Label, s.Capture, s.Chunk, s.Start, s.Stop}
	}
	return out
}

// sampleIDs returns the ids of n samples of a side ("train" or "test"):
// side-000001 and up.
func sampleIDs(side string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%06d", side, i+1)
	}
	return ids
}

// writeSamples writes samples.csv: id,label,capture,chunk,start,stop, the
// label left empty unless labels is set.
func writeSamples(dir string, ids []string, ms []meta, labels bool) error {
	return writeCSV(filepath.Join(dir, "samples.csv"), []string{"id", "label", "capture", "chunk", "start", "stop"}, func(row func(...string) error) error {
		for i, m := range ms {
			label := ""
			if labels {
				label = m.label
			}
			if err := row(ids[i], label, m.capture, chunkField(m.chunk), secondsField(m.start), secondsField(m.stop)); err != nil {
				return err
			}
		}
		return nil
	})
}

func chunkField(c int) string {
	if c == 0 {
		return ""
	}
	return strconv.Itoa(c)
}

func secondsField(s float64) string {
	if s == 0 {
		return ""
	}
	return strconv.FormatFloat(s, 'f', -1, 64)
}

// writeCSV writes a CSV file atomically: header, then the rows fill gives.
func writeCSV(path string, header []string, fill func(row func(...string) error) error) error {
	return atomicfile.Write(path, func(w *bufio.Writer) error {
		var buf []byte
		row := func(fields ...string) error {
			buf = buf[:0]
			for i, f := range fields {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = appendField(buf, f)
			}
			buf = append(buf, '\n')
			_, err := w.Write(buf)
			return err
		}
		if err := row(header...); err != nil {
			return err
		}
		return fill(row)
	})
}

// appendField appends a CSV field, quoted when it holds a comma, a quote or
// a line break.
func appendField(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func float(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// writePackets writes packets/<id>.csv per sample in the packet CSV format.
func writePackets(dir string, ids []string, samples []methods.Sample) error {
	pdir := filepath.Join(dir, "packets")
	if err := os.Mkdir(pdir, 0o755); err != nil {
		return err
	}
	for i := range samples {
		err := atomicfile.Write(filepath.Join(pdir, ids[i]+".csv"), func(w *bufio.Writer) error {
			cw := datasets.NewCSVWriter(w)
			for j := range samples[i].Packets {
				if err := cw.Write(&samples[i].Packets[j]); err != nil {
					return err
				}
			}
			return cw.Flush()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// FlowHeader returns the header of features.csv: id, the flow key, then
// f00 to f53, the AppScanner statistics in the order of
// appscanner.FlowFeatures.
func FlowHeader() []string {
	h := []string{"id", "burst_time", "local_ip", "local_port", "remote_ip", "remote_port"}
	for i := range appscanner.NumFeatures {
		h = append(h, fmt.Sprintf("f%02d", i))
	}
	return h
}

// writeFlows writes features.csv: one row per flow of each sample.
func writeFlows(dir string, ids []string, samples []methods.Encoded) error {
	return writeCSV(filepath.Join(dir, "features.csv"), FlowHeader(), func(row func(...string) error) error {
		return FlowRows(ids, samples, row)
	})
}

// FlowRows calls row with the fields of each flow of each sample (ids[i]
// the id of samples[i]), encoded by the appscanner method's Features.
func FlowRows(ids []string, samples []methods.Encoded, row func(...string) error) error {
	fields := make([]string, 0, 6+appscanner.NumFeatures)
	for i := range samples {
		flows, err := methodas.DecodeFlows(samples[i].Features)
		if err != nil {
			return fmt.Errorf("sample %s (%s): %w", ids[i], samples[i].Capture, err)
		}
		for _, f := range flows {
			k := &f.Key
			fields = append(fields[:0], ids[i], strconv.FormatFloat(k.BurstTime, 'f', -1, 64), k.LocalIP.String(), strconv.Itoa(int(k.LocalPort)),
				k.RemoteIP.String(), strconv.Itoa(int(k.RemotePort)))
			for _, x := range f.Features {
				fields = append(fields, float(x))
			}
			if err := row(fields...); err != nil {
				return err
			}
		}
	}
	return nil
}

// NodeHeader and EdgeHeader return the headers of nodes.csv (id, node,
// then the 63 node features of datasets.NodeFeatureNames) and edges.csv.
func NodeHeader() []string {
	return append([]string{"id", "node"}, datasets.NodeFeatureNames()...)
}

// EdgeHeader returns the header of edges.csv.
func EdgeHeader() []string { return []string{"id", "source", "target", "weight"} }

// writeGraphs writes nodes.csv and edges.csv: the nodes of each sample's
// graph in stored (processed-graph) order, numbered from 0, and its edges
// between those numbers. Samples without a graph have no rows.
func writeGraphs(ctx context.Context, dir string, ids []string, samples []methods.Encoded) error {
	gs, _, err := graphs.Decode(ctx, samples)
	if err != nil {
		return err
	}
	err = writeCSV(filepath.Join(dir, "nodes.csv"), NodeHeader(), func(row func(...string) error) error {
		return NodeRows(ids, gs, row)
	})
	if err != nil {
		return err
	}
	return writeCSV(filepath.Join(dir, "edges.csv"), EdgeHeader(), func(row func(...string) error) error {
		return EdgeRows(ids, gs, row)
	})
}

// NodeRows calls row with the fields of each node of each graph (nil
// graphs have none).
func NodeRows(ids []string, gs []*datasets.Graph, row func(...string) error) error {
	fields := make([]string, 0, 2+datasets.NumNodeFeatures)
	for i, g := range gs {
		if g == nil {
			continue
		}
		for j := range g.Nodes {
			fields = append(fields[:0], ids[i], strconv.Itoa(j))
			for _, x := range g.Nodes[j].Features {
				fields = append(fields, float(x))
			}
			if err := row(fields...); err != nil {
				return err
			}
		}
	}
	return nil
}

// EdgeRows calls row with the fields of each edge of each graph.
func EdgeRows(ids []string, gs []*datasets.Graph, row func(...string) error) error {
	for i, g := range gs {
		if g == nil {
			continue
		}
		for _, e := range g.Edges {
			if err := row(ids[i], strconv.Itoa(e.Source), strconv.Itoa(e.Target), float(e.Weight)); err != nil {
				return err
			}
		}
	}
	return nil
}

// DecodeGraphs returns the graphs of features written by the graph
// methods' feature stage (nil where a sample gave none).
func DecodeGraphs(ctx context.Context, samples []methods.Encoded) ([]*datasets.Graph, error) {
	gs, _, err := graphs.Decode(ctx, samples)
	return gs, err
}
