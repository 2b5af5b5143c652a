package flowprint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"appbench/datasets"
	fp "appbench/flowprint"
	"appbench/methods"
)

// featuresVersion is the version byte of flowprint features.
const featuresVersion = 1

// FeatureKey returns "flowprint/v1/input=<input>/certificate_hash=<bool>":
// the flows of a chunk depend on the input mode and on how certificates
// are identified, and on nothing else (training and test flows differ only
// in certificates, which the features always keep; see Features).
func (m *Method) FeatureKey() string {
	return fmt.Sprintf("flowprint/v%d/input=%s/certificate_hash=%t", featuresVersion, m.p.Input, m.p.CertificateHash)
}

// flowOptions are the flow options of Features. They keep certificates,
// as test flows do; FitFeatures drops them when training blanks
// certificates (train_certificates: false), which gives exactly the
// training flows of the enhanced scripts, because the certificate policy
// (keep a flow's first certificate) never fails and certificates affect
// nothing else of a flow.
func (p Params) flowOptions() fp.FlowOptions {
	o := fp.FlowOptions{Mode: fp.Reference, CertConflict: fp.CertKeepFirst, DropUnknownProtocol: true}
	if p.Input == "full" {
		o.Mode = fp.Full
	}
	o.CertificateHash = p.CertificateHash
	return o
}

// Features encodes the chunk's flows with what fingerprinting reads: per
// flow (in order of first packet) its protocol, stream, destination,
// certificate and packet times. The layout is a version byte and a flow
// count (uvarint), then per flow: the protocol byte, the stream (signed
// varint), the destination address (a length byte and its bytes), the
// port (2 bytes, little-endian), the certificate (uvarint length and
// bytes), the number of times (uvarint), the bits of the first time (8
// bytes) and the difference of the bits of each following time from the
// previous one (signed varint), which keeps the float64 seconds exactly.
func (m *Method) Features(s methods.Sample) ([]byte, error) {
	flows, err := m.flowsOf(s)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 16+24*len(flows)+3*len(s.Packets))
	b = append(b, featuresVersion)
	b = binary.AppendUvarint(b, uint64(len(flows)))
	for i := range flows {
		b = appendFlow(b, &flows[i])
	}
	return b, nil
}

// flowsOf builds the flows of a sample with flowOptions.
func (m *Method) flowsOf(s methods.Sample) ([]fp.Flow, error) {
	// Errors of appbench/flowprint name flowprint already.
	return fp.FlowsFromPackets(s.Packets, "chunk", m.p.flowOptions())
}

func appendFlow(b []byte, f *fp.Flow) []byte {
	b = append(b, byte(f.Proto))
	b = binary.AppendVarint(b, f.Stream)
	at := len(b)
	b = append(b, 0)
	b, _ = f.Dst.AppendBinary(b) // never fails
	b[at] = byte(len(b) - at - 1)
	b = binary.LittleEndian.AppendUint16(b, f.DstPort)
	b = binary.AppendUvarint(b, uint64(len(f.Cert)))
	b = append(b, f.Cert...)
	b = binary.AppendUvarint(b, uint64(len(f.Times)))
	var prev uint64
	for i, t := range f.Times {
		bits := math.Float64bits(t)
		if i == 0 {
			b = binary.LittleEndian.AppendUint64(b, bits)
		} else {
			b = binary.AppendVarint(b, int64(bits-prev))
		}
		prev = bits
	}
	return b
}

var errFeatures = errors.New("flowprint: damaged features")

// decodeFlows is the inverse of Features: it appends to flows the flows of
// b labelled label, with Start and End the extreme times, without
// certificates when dropCerts is set.
func decodeFlows(flows []fp.Flow, b []byte, label string, dropCerts bool) ([]fp.Flow, error) {
	flows = slices.Grow(flows, flowCount(b))
	err := readFlows(b, func(d *reader) {
		f := d.flow(label)
		if dropCerts {
			f.Cert = ""
		}
		flows = append(flows, f)
	})
	if err != nil {
		return nil, err
	}
	return flows, nil
}

// readFlows checks the frame of features b (version, flow count, nothing
// after the flows) and calls each to read every flow from d; each need
// not check d.err.
func readFlows(b []byte, each func(d *reader)) error {
	d := &reader{b: b}
	if v := d.byte(); v != featuresVersion {
		return fmt.Errorf("%w: version %d, want %d", errFeatures, v, featuresVersion)
	}
	n := d.count(1)
	for i := 0; i < n && d.err == nil; i++ {
		each(d)
	}
	if d.err == nil && d.off != len(b) {
		d.fail("%d bytes after the flows", len(b)-d.off)
	}
	if d.err != nil {
		return fmt.Errorf("%w: byte %d: %v", errFeatures, d.off, d.err)
	}
	return nil
}

func (d *reader) flow(label string) fp.Flow {
	f := d.head(label)
	f.Times = d.times(nil)
	if len(f.Times) > 0 {
		f.Start, f.End = extremes(f.Times)
	}
	return f
}

// head reads a flow's fields up to its packet times.
func (d *reader) head(label string) fp.Flow {
	f := fp.Flow{Label: label, Proto: datasets.Protocol(d.byte()), Stream: d.varint()}
	addr := d.bytes(int(d.byte()))
	if d.err == nil {
		if err := f.Dst.UnmarshalBinary(addr); err != nil {
			d.fail("destination: %v", err)
		}
	}
	f.DstPort = binary.LittleEndian.Uint16(d.bytes(2))
	f.Cert = string(d.bytes(d.count(1)))
	return f
}

// times appends a flow's packet times to dst.
func (d *reader) times(dst []float64) []float64 {
	n := d.count(1)
	if d.err != nil || n == 0 {
		return dst
	}
	dst = slices.Grow(dst, n)
	bits := binary.LittleEndian.Uint64(d.bytes(8))
	for i := range n {
		if i > 0 {
			bits += uint64(d.varint())
		}
		dst = append(dst, math.Float64frombits(bits))
	}
	return dst
}

func extremes(ts []float64) (lo, hi float64) {
	lo, hi = ts[0], ts[0]
	for _, t := range ts[1:] {
		lo, hi = min(lo, t), max(hi, t)
	}
	return lo, hi
}

// reader reads the fields of an encoding; after the first error it
// returns zero values and keeps the error.
type reader struct {
	b   []byte
	off int
	err error
}

func (d *reader) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *reader) bytes(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b)-d.off {
		d.fail("unexpected end of data")
		return make([]byte, max(n, 8))
	}
	d.off += n
	return d.b[d.off-n : d.off]
}

func (d *reader) byte() byte { return d.bytes(1)[0] }

func (d *reader) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Varint(d.b[d.off:])
	if k <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += k
	return v
}

// count reads a uvarint count of items of at least min bytes each and
// checks it against the bytes left.
func (d *reader) count(min int) int {
	if d.err != nil {
		return 0
	}
	v, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 || v > uint64((len(d.b)-d.off-k)/min) {
		d.fail("bad count")
		return 0
	}
	d.off += k
	return int(v)
}

// decodeAt appends to flows the flows of sample i, naming it on error.
func decodeAt(flows []fp.Flow, what string, i int, e *methods.Encoded, label string, dropCerts bool) ([]fp.Flow, error) {
	flows, err := decodeFlows(flows, e.Features, label, dropCerts)
	if err != nil {
		return nil, fmt.Errorf("%s sample %d (%s): %w", what, i, e.Capture, err)
	}
	return flows, nil
}

// flowCount returns the number of flows that features b say they hold (0
// for damaged features, whose decoding then fails).
func flowCount(b []byte) int {
	if len(b) == 0 || b[0] != featuresVersion {
		return 0
	}
	d := &reader{b: b, off: 1}
	return d.count(1)
}

var _ methods.Featurizer = (*Method)(nil)

// DecodeFlows returns the flows of features written by Features, labelled
// label, certificates kept, in order of first packet. Their Src, SrcPort and
// Lengths are not part of the features and stay zero.
func DecodeFlows(b []byte, label string) ([]fp.Flow, error) { return decodeFlows(nil, b, label, false) }
