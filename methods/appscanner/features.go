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
const featuresVersion = 1

// FeatureKey returns "appscanner/v1/burst_gap=<s>/extraction=<mode>": flow
// extraction depends on the burst gap and the extraction semantics only.
func (m *Method) FeatureKey() string {
	return fmt.Sprintf("appscanner/v%d/burst_gap=%v/extraction=%s", featuresVersion, m.p.BurstGap, m.p.Extraction)
}

// Features encodes the chunk's flows as feature rows: a version byte and a
// flow count (uvarint), then per flow its key (burst time as float64 bits,
// local and remote address as a length byte and netip.Addr's binary form,
// each followed by its port, 2 bytes) and its appscanner.NumFeatures
// features as float64 bits (8 bytes each, little-endian). The features are
// kept as float64: rounding them to float32 moves the forests' split
// thresholds (midpoints of training values) and so could change a
// prediction, which the exactness contract forbids.
func (m *Method) Features(s methods.Sample) ([]byte, error) {
	fl, err := m.flows(s.Packets)
	if err != nil {
		return nil, fmt.Errorf("appscanner: %w", err)
	}
	X := appscanner.Features(fl)
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(fl)*(48+8*appscanner.NumFeatures))
	b = append(b, featuresVersion)
	b = binary.AppendUvarint(b, uint64(len(fl)))
	for i := range fl {
		b = appendKey(b, &fl[i].Key)
		for _, v := range X[i*appscanner.NumFeatures : (i+1)*appscanner.NumFeatures] {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
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

// minFlowBytes is the smallest encoding of a flow.
const minFlowBytes = 8 + 2*3 + 8*appscanner.NumFeatures

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
	for i := 0; i < int(n); i++ {
		var ok bool
		if off, ok = skipKey(b, off); !ok || len(b)-off < 8*appscanner.NumFeatures {
			return nil, 0, fmt.Errorf("%w: flow %d truncated", errFeatures, i)
		}
		for j := 0; j < appscanner.NumFeatures; j++ {
			X = append(X, math.Float64frombits(binary.LittleEndian.Uint64(b[off:])))
			off += 8
		}
	}
	if off != len(b) {
		return nil, 0, fmt.Errorf("%w: %d bytes after the flows", errFeatures, len(b)-off)
	}
	return X, int(n), nil
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

var _ methods.Featurizer = (*Method)(nil)
