package baseline

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"appbench/methods"
)

// destFeaturesVersion is the version byte of destination-set features.
const destFeaturesVersion = 1

// FeatureKey returns "destination-set/v1/service_only=<bool>": the
// service-only rule is the one parameter the destination set depends on.
func (d *DestinationSet) FeatureKey() string {
	return fmt.Sprintf("destination-set/v%d/service_only=%t", destFeaturesVersion, d.p.ServiceOnly)
}

// Features encodes the sample's destination set (Destinations) as a
// version byte, a count (uvarint) and the destinations in ascending order,
// each as a length (uvarint) and netip.AddrPort's binary form.
func (d *DestinationSet) Features(s methods.Sample) ([]byte, error) {
	dst, err := Destinations(&s, d.p.ServiceOnly)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(dst, netip.AddrPort.Compare)
	b := make([]byte, 0, 2+8*len(dst))
	b = append(b, destFeaturesVersion)
	b = binary.AppendUvarint(b, uint64(len(dst)))
	for _, ap := range dst {
		at := len(b)
		b = append(b, 0)
		b, _ = ap.AppendBinary(b) // never fails
		b[at] = byte(len(b) - at - 1)
	}
	return b, nil
}

var errDestFeatures = errors.New("destination-set: damaged features")

// decodeDestinations is the inverse of Features.
func decodeDestinations(b []byte) ([]netip.AddrPort, error) {
	if len(b) == 0 || b[0] != destFeaturesVersion {
		return nil, fmt.Errorf("%w: not version %d", errDestFeatures, destFeaturesVersion)
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || n > uint64(len(b)) {
		return nil, fmt.Errorf("%w: bad count", errDestFeatures)
	}
	out := make([]netip.AddrPort, n)
	off := 1 + k
	for i := range out {
		if off >= len(b) || off+1+int(b[off]) > len(b) {
			return nil, fmt.Errorf("%w: destination %d truncated", errDestFeatures, i)
		}
		end := off + 1 + int(b[off])
		if err := out[i].UnmarshalBinary(b[off+1 : end]); err != nil {
			return nil, fmt.Errorf("%w: destination %d: %v", errDestFeatures, i, err)
		}
		off = end
	}
	if off != len(b) {
		return nil, fmt.Errorf("%w: %d bytes after the destinations", errDestFeatures, len(b)-off)
	}
	return out, nil
}

// decodeAt decodes the features of sample i of a set, naming it on error.
func decodeAt(what string, i int, e *methods.Encoded) ([]netip.AddrPort, error) {
	dst, err := decodeDestinations(e.Features)
	if err != nil {
		return nil, fmt.Errorf("%s sample %d (%s): %w", what, i, e.Capture, err)
	}
	return dst, nil
}

var _ methods.Featurizer = (*DestinationSet)(nil)

// ctxEvery reports ctx's error every 256 items.
func ctxEvery(ctx context.Context, i int) error {
	if i%256 == 0 {
		return ctx.Err()
	}
	return nil
}

// DecodeDestinations returns the destinations of features written by
// DestinationSet.Features, in ascending order.
func DecodeDestinations(b []byte) ([]netip.AddrPort, error) { return decodeDestinations(b) }
