package appscanner

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"

	"appbench/appscanner"
	"appbench/methods"
)

// featuresVersion is the version byte of appscanner features.
const featuresVersion = 2

// FeatureKey returns "appscanner/v2/burst_gap=<s>/extraction=<mode>": flow
// extraction depends on the burst gap and the extraction semantics only.
func (m *Method) FeatureKey() string {
	return fmt.Sprintf("appscanner/v%d/burst_gap=%v/extraction=%s", featuresVersion, m.p.BurstGap, m.p.Extraction)
}

// Features encodes the chunk's flows: a version byte and a flow count
// (uvarint), then per flow its key (burst time as float64 bits, local and
// remote address as a length byte and netip.Addr's binary form, each
// followed by its port, 2 bytes), its packet count (uvarint) and its signed
// packet lengths (zigzag varints, one or two bytes each). FitFeatures and
// PredictFeatures compute the flows' appscanner.NumFeatures statistics
// from the lengths with the same function (appscanner.FlowFeatures) as
// appscanner.Features, so the rows are bit for bit those of the flows: an
// exact encoding about ten times smaller than the float64 rows, where
// float32 rows would not be exact (rounding moves the forests' split
// thresholds, the midpoints of training values).
func (m *Method) Features(s methods.Sample) ([]byte, error) {
	fl, err := m.flows(s.Packets)
	if err != nil {
		return nil, err // names appscanner already
	}
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(fl)*40)
	b = append(b, featuresVersion)
	b = binary.AppendUvarint(b, uint64(len(fl)))
	for i := range fl {
		b = appendKey(b, &fl[i].Key)
		b = binary.AppendUvarint(b, uint64(len(fl[i].Lengths)))
		for _, v := range fl[i].Lengths {
			n := int64(v)
			if float64(n) != v {
				return nil, fmt.Errorf("appscanner: packet length %v is not a whole number", v)
			}
			b = binary.AppendVarint(b, n)
		}
	}
	return b, nil
}

func appendKey(b []byte, k *appscanner.FlowKey) []byte {
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(k.BurstTime))
	b = appendEndpoint(b, k.LocalIP, k.LocalPort)
	return appendEndpoint(b, k.RemoteIP, k.RemotePort)
}

func appendEndpoint(b []byte, a netip.Addr, port uint16) []byte {
	at := len(b)
	b = append(b, 0)
	b, _ = a.AppendBinary(b) // never fails
	b[at] = byte(len(b) - at - 1)
	return binary.LittleEndian.AppendUint16(b, port)
}

var errFeatures = errors.New("appscanner: damaged features")

// minFlowBytes is the smallest encoding of a flow: its key and a packet
// count.
const minFlowBytes = 8 + 2*3 + 1

// decodeRows appends the feature rows of an encoding to X and returns the
// extended matrix and the number of rows; the flow keys are skipped (only
// their lengths are checked).
func decodeRows(X []float64, b []byte) ([]float64, int, error) {
	if len(b) == 0 || b[0] != featuresVersion {
		return nil, 0, fmt.Errorf("%w: not version %d", errFeatures, featuresVersion)
	}
	n, k := binary.Uvarint(b[1:])
	off := 1 + k
	if k <= 0 || n > uint64((len(b)-off)/minFlowBytes) {
		return nil, 0, fmt.Errorf("%w: bad flow count", errFeatures)
	}
	var lengths []float64
	for i := 0; i < int(n); i++ {
		var ok bool
		if off, ok = skipKey(b, off); !ok {
			return nil, 0, fmt.Errorf("%w: flow %d truncated", errFeatures, i)
		}
		if lengths, off, ok = decodeLengths(lengths[:0], b, off); !ok {
			return nil, 0, fmt.Errorf("%w: flow %d: bad packet lengths", errFeatures, i)
		}
		at := len(X)
		X = append(X, make([]float64, appscanner.NumFeatures)...)
		appscanner.FlowFeatures(lengths, X[at:])
	}
	if off != len(b) {
		return nil, 0, fmt.Errorf("%w: %d bytes after the flows", errFeatures, len(b)-off)
	}
	return X, int(n), nil
}

// flowCount returns the number of flows of an encoding.
func flowCount(b []byte) (int, error) {
	if len(b) == 0 || b[0] != featuresVersion {
		return 0, fmt.Errorf("%w: not version %d", errFeatures, featuresVersion)
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || n > uint64((len(b)-1-k)/minFlowBytes) {
		return 0, fmt.Errorf("%w: bad flow count", errFeatures)
	}
	return int(n), nil
}

// decodeLengths appends the packet lengths of the flow at off to dst.
func decodeLengths(dst []float64, b []byte, off int) ([]float64, int, bool) {
	if off >= len(b) {
		return nil, 0, false
	}
	n, k := binary.Uvarint(b[off:])
	off += k
	if k <= 0 || n > uint64(len(b)-off) {
		return nil, 0, false
	}
	for range n {
		v, k := binary.Varint(b[off:])
		if k <= 0 {
			return nil, 0, false
		}
		off += k
		dst = append(dst, float64(v))
	}
	return dst, off, true
}

// skipKey returns the offset after the flow key at off.
func skipKey(b []byte, off int) (int, bool) {
	off += 8
	for range 2 {
		if off >= len(b) {
			return 0, false
		}
		off += 1 + int(b[off]) + 2
	}
	return off, off <= len(b)
}

// rowsAt decodes the rows of sample i onto X, naming the sample on error.
func rowsAt(X []float64, what string, i int, e *methods.Encoded) ([]float64, int, error) {
	X, n, err := decodeRows(X, e.Features)
	if err != nil {
		return nil, 0, fmt.Errorf("appscanner: %s sample %d (%s): %w", what, i, e.Capture, err)
	}
	return X, n, nil
}

// FlowRow is one flow of a chunk as DecodeFlows gives it back: its key and
// its appscanner.NumFeatures statistics.
type FlowRow struct {
	Key      appscanner.FlowKey
	Features []float64
}

// DecodeFlows returns the flows of features written by Features, keys
// included, in their order; the rows are those FitFeatures trains on.
func DecodeFlows(b []byte) ([]FlowRow, error) {
	X, n, err := decodeRows(nil, b)
	if err != nil {
		return nil, err
	}
	out := make([]FlowRow, n)
	_, k := binary.Uvarint(b[1:])
	off := 1 + k
	for i := range out {
		if out[i].Key, off, err = decodeKey(b, off); err != nil {
			return nil, fmt.Errorf("%w: flow %d: %v", errFeatures, i, err)
		}
		if _, off, _ = decodeLengths(nil, b, off); off == 0 {
			return nil, fmt.Errorf("%w: flow %d: bad packet lengths", errFeatures, i)
		}
		out[i].Features = X[i*appscanner.NumFeatures : (i+1)*appscanner.NumFeatures : (i+1)*appscanner.NumFeatures]
	}
	return out, nil
}

// decodeKey reads the flow key at off (decodeRows checked its length).
func decodeKey(b []byte, off int) (appscanner.FlowKey, int, error) {
	var k appscanner.FlowKey
	k.BurstTime = math.Float64frombits(binary.LittleEndian.Uint64(b[off:]))
	off += 8
	for _, ep := range []struct {
		ip   *netip.Addr
		port *uint16
	}{{&k.LocalIP, &k.LocalPort}, {&k.RemoteIP, &k.RemotePort}} {
		n := int(b[off])
		if err := ep.ip.UnmarshalBinary(b[off+1 : off+1+n]); err != nil {
			return k, 0, err
		}
		*ep.port = binary.LittleEndian.Uint16(b[off+1+n:])
		off += 1 + n + 2
	}
	return k, off, nil
}
