package datasets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// GraphCodecVersion is the version byte that starts every encoding written
// by AppendGraph. It changes whenever the layout does, so that stored
// encodings of an older layout are rejected rather than misread.
const GraphCodecVersion = 1

// graphScaled is the flag bit of Graph.Scaled.
const graphScaled = 1

// AppendGraph appends the binary encoding of g to b and returns the
// extended slice. The layout (little-endian) is: the version byte, a flag
// byte, the ID (signed varint), the App (uvarint length and bytes), the
// node count (uvarint) and per node its IP (uvarint length and bytes), its
// port (signed varint) and its features (IEEE-754 bits, 8 bytes each, so
// NaN and every other value are kept exactly), then the edge count
// (uvarint) and per edge its source and target (uvarint) and weight (8
// bytes).
func AppendGraph(b []byte, g *Graph) []byte {
	var flags byte
	if g.Scaled {
		flags |= graphScaled
	}
	b = append(b, GraphCodecVersion, flags)
	b = binary.AppendVarint(b, int64(g.ID))
	b = appendString(b, g.App)
	b = binary.AppendUvarint(b, uint64(len(g.Nodes)))
	for i := range g.Nodes {
		n := &g.Nodes[i]
		b = appendString(b, n.IP)
		b = binary.AppendVarint(b, int64(n.Port))
		for _, v := range n.Features {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(g.Edges)))
	for _, e := range g.Edges {
		b = binary.AppendUvarint(b, uint64(e.Source))
		b = binary.AppendUvarint(b, uint64(e.Target))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Weight))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// DecodeGraph decodes an encoding written by AppendGraph. It checks the
// version, every length against the bytes left, that edges index existing
// nodes and that nothing follows the graph; errors give the byte offset and
// wrap ErrMalformed.
func DecodeGraph(b []byte) (*Graph, error) {
	d := &graphDecoder{b: b}
	g, err := d.graph()
	if err != nil {
		return nil, fmt.Errorf("datasets: graph encoding: byte %d: %w: %w", d.off, err, ErrMalformed)
	}
	return g, nil
}

// minNodeBytes and minEdgeBytes are the smallest encodings of a node and
// an edge, which bound the counts a valid input can hold.
const (
	minNodeBytes = 2 + 8*NumNodeFeatures
	minEdgeBytes = 2 + 8
)

func (d *graphDecoder) graph() (*Graph, error) {
	g, err := d.header()
	if err != nil {
		return nil, err
	}
	if g.Nodes, err = d.nodes(); err != nil {
		return nil, err
	}
	if g.Edges, err = d.edges(len(g.Nodes)); err != nil {
		return nil, err
	}
	if d.off != len(d.b) {
		return nil, fmt.Errorf("%d bytes after the graph", len(d.b)-d.off)
	}
	return g, nil
}

// header reads what comes before the nodes: the version, the flags, the
// ID and the App.
func (d *graphDecoder) header() (*Graph, error) {
	v, err := d.byte()
	if err != nil {
		return nil, err
	}
	if v != GraphCodecVersion {
		return nil, fmt.Errorf("version %d, this build reads %d", v, GraphCodecVersion)
	}
	flags, err := d.byte()
	if err != nil {
		return nil, err
	}
	if flags&^graphScaled != 0 {
		return nil, fmt.Errorf("unknown flags %#x", flags)
	}
	g := &Graph{Scaled: flags&graphScaled != 0}
	if g.ID, err = d.int(); err != nil {
		return nil, err
	}
	if g.App, err = d.string(); err != nil {
		return nil, err
	}
	return g, nil
}

// AppendGraphFeature appends node feature f (0 <= f < NumNodeFeatures) of
// every node of the graph encoded in b (AppendGraph) to dst, in node
// order, and reports whether the graph is standardised already (Scaled).
// It reads the nodes only, without decoding the graph, and checks what it
// reads (DecodeGraph checks the rest); errors are those of DecodeGraph.
func AppendGraphFeature(dst []float64, b []byte, f int) ([]float64, bool, error) {
	d := &graphDecoder{b: b}
	g, err := d.header()
	if err == nil {
		dst, err = d.nodeFeature(dst, f)
	}
	if err != nil {
		return nil, false, fmt.Errorf("datasets: graph encoding: byte %d: %w: %w", d.off, err, ErrMalformed)
	}
	return dst, g.Scaled, nil
}

// nodeFeature appends feature f of each node to dst, skipping the rest.
func (d *graphDecoder) nodeFeature(dst []float64, f int) ([]float64, error) {
	n, err := d.count("node", minNodeBytes)
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		ip, err := d.uvarint()
		if err == nil && ip > uint64(len(d.b)-d.off) {
			err = fmt.Errorf("string of %d bytes, %d left", ip, len(d.b)-d.off)
		}
		if err == nil {
			d.off += int(ip)
			_, err = d.int()
		}
		if err == nil && len(d.b)-d.off < 8*NumNodeFeatures {
			err = errShort
		}
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off+8*f:])))
		d.off += 8 * NumNodeFeatures
	}
	return dst, nil
}

func (d *graphDecoder) nodes() ([]Node, error) {
	n, err := d.count("node", minNodeBytes)
	if err != nil {
		return nil, err
	}
	nodes := make([]Node, n)
	for i := range nodes {
		nd := &nodes[i]
		if nd.IP, err = d.string(); err != nil {
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		if nd.Port, err = d.int(); err != nil {
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		for f := range nd.Features {
			if nd.Features[f], err = d.float(); err != nil {
				return nil, fmt.Errorf("node %d: %w", i, err)
			}
		}
	}
	return nodes, nil
}

func (d *graphDecoder) edges(nodes int) ([]Edge, error) {
	n, err := d.count("edge", minEdgeBytes)
	if err != nil {
		return nil, err
	}
	edges := make([]Edge, n)
	for i := range edges {
		e := &edges[i]
		if e.Source, err = d.index(nodes); err != nil {
			return nil, fmt.Errorf("edge %d: source: %w", i, err)
		}
		if e.Target, err = d.index(nodes); err != nil {
			return nil, fmt.Errorf("edge %d: target: %w", i, err)
		}
		if e.Weight, err = d.float(); err != nil {
			return nil, fmt.Errorf("edge %d: %w", i, err)
		}
	}
	return edges, nil
}

// graphDecoder reads the fields of a binary encoding; off is the offset of the
// next byte.
type graphDecoder struct {
	b   []byte
	off int
}

var errShort = errors.New("unexpected end of data")

func (d *graphDecoder) byte() (byte, error) {
	if d.off >= len(d.b) {
		return 0, errShort
	}
	d.off++
	return d.b[d.off-1], nil
}

func (d *graphDecoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		return 0, fmt.Errorf("bad unsigned varint")
	}
	d.off += n
	return v, nil
}

func (d *graphDecoder) int() (int, error) {
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 || v < math.MinInt || v > math.MaxInt {
		return 0, fmt.Errorf("bad signed varint")
	}
	d.off += n
	return int(v), nil
}

func (d *graphDecoder) float() (float64, error) {
	if len(d.b)-d.off < 8 {
		return 0, errShort
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
	d.off += 8
	return v, nil
}

func (d *graphDecoder) string() (string, error) {
	n, err := d.uvarint()
	if err != nil {
		return "", err
	}
	if n > uint64(len(d.b)-d.off) {
		return "", fmt.Errorf("string of %d bytes, %d left", n, len(d.b)-d.off)
	}
	s := string(d.b[d.off : d.off+int(n)])
	d.off += int(n)
	return s, nil
}

// count reads a count of items of at least min bytes each and checks that
// the bytes left can hold them.
func (d *graphDecoder) count(what string, min int) (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, fmt.Errorf("%s count: %w", what, err)
	}
	if n > uint64((len(d.b)-d.off)/min) {
		return 0, fmt.Errorf("%d %ss do not fit in the %d bytes left", n, what, len(d.b)-d.off)
	}
	return int(n), nil
}

// index reads a node index and checks it against the node count.
func (d *graphDecoder) index(nodes int) (int, error) {
	v, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if v >= uint64(nodes) {
		return 0, fmt.Errorf("node index %d, graph has %d nodes", v, nodes)
	}
	return int(v), nil
}
