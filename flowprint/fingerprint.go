package flowprint

import (
	"cmp"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ElementKind tells what a fingerprint element stands for.
type ElementKind uint8

// Kinds of fingerprint elements. The order of the constants is the order of
// the kinds in a fingerprint's canonical element list.
const (
	// Destination is a network destination (IP address, port).
	Destination ElementKind = iota + 1
	// Certificate is a TLS certificate, identified by its X.509 serial
	// number (the reference keeps only the serial).
	Certificate
	// NoCertificate is the reference's in-memory "null certificate"
	// element: a cluster whose flows include one without a certificate
	// carries it. It counts in fingerprint sizes and Jaccard scores but is
	// never written to JSON.
	NoCertificate
)

// Element is one member of a fingerprint: a destination, a certificate or
// the NoCertificate marker. Elements are comparable and can be map keys.
type Element struct {
	Kind ElementKind
	// Addr and Port identify a Destination.
	Addr netip.Addr
	Port uint16
	// Serial is the decimal serial number of a Certificate (possibly
	// negative, possibly longer than 64 bits), in canonical form (no
	// leading zeros, no "+").
	Serial string
}

// DestinationElement returns the element of destination (addr, port).
func DestinationElement(addr netip.Addr, port uint16) Element {
	return Element{Kind: Destination, Addr: addr, Port: port}
}

// CertificateElement returns the element of the certificate with the given
// canonical decimal serial number.
func CertificateElement(serial string) Element {
	return Element{Kind: Certificate, Serial: serial}
}

// String formats the element as "ip:port", "cert:serial" or "cert:none".
func (e Element) String() string {
	switch e.Kind {
	case Destination:
		return netip.AddrPortFrom(e.Addr, e.Port).String()
	case Certificate:
		return "cert:" + e.Serial
	case NoCertificate:
		return "cert:none"
	}
	return "invalid"
}

// compareSerials orders canonical decimal serial numbers numerically.
func compareSerials(a, b string) int {
	an, bn := strings.HasPrefix(a, "-"), strings.HasPrefix(b, "-")
	switch {
	case an && !bn:
		return -1
	case !an && bn:
		return 1
	case an && bn:
		return -compareSerials(a[1:], b[1:])
	}
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// CompareElements is the canonical element order: destinations first, by IP
// address string then port (the order of the reference's JSON), then
// certificates by serial number, then NoCertificate.
func CompareElements(a, b Element) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	switch a.Kind {
	case Destination:
		if a.Addr != b.Addr {
			if c := strings.Compare(a.Addr.String(), b.Addr.String()); c != 0 {
				return c
			}
			return a.Addr.Compare(b.Addr)
		}
		return cmp.Compare(a.Port, b.Port)
	case Certificate:
		return compareSerials(a.Serial, b.Serial)
	}
	return 0
}

// Fingerprint is a set of elements (destinations, certificates and possibly
// NoCertificate) and the number of flows it was built from. Two fingerprints
// are equal when their element sets are; NFlows does not take part.
type Fingerprint struct {
	// Elements holds each element once, in canonical order
	// (CompareElements).
	Elements []Element
	// NFlows is the reference's n_flows counter.
	NFlows int
}

// NewFingerprint returns the fingerprint of the given elements (in any
// order, duplicates removed) and flow count.
func NewFingerprint(elements []Element, nflows int) Fingerprint {
	e := slices.Clone(elements)
	slices.SortFunc(e, CompareElements)
	e = slices.CompactFunc(e, func(a, b Element) bool { return a == b })
	return Fingerprint{Elements: e, NFlows: nflows}
}

// Len returns the number of elements, NoCertificate included, as the
// reference's len(fingerprint).
func (f Fingerprint) Len() int { return len(f.Elements) }

// Key returns a string that is equal for two fingerprints exactly when their
// element sets are equal.
func (f Fingerprint) Key() string {
	var b strings.Builder
	for _, e := range f.Elements {
		b.WriteByte(byte(e.Kind))
		switch e.Kind {
		case Destination:
			a := e.Addr.As16()
			b.Write(a[:])
			b.WriteByte(byte(e.Port >> 8))
			b.WriteByte(byte(e.Port))
		case Certificate:
			b.WriteString(e.Serial)
			b.WriteByte(0)
		}
	}
	return b.String()
}

// Destinations returns the destination elements in canonical order.
func (f Fingerprint) Destinations() []Element {
	var out []Element
	for _, e := range f.Elements {
		if e.Kind == Destination {
			out = append(out, e)
		}
	}
	return out
}

// Certificates returns the certificate elements (without NoCertificate) in
// canonical order.
func (f Fingerprint) Certificates() []Element {
	var out []Element
	for _, e := range f.Elements {
		if e.Kind == Certificate {
			out = append(out, e)
		}
	}
	return out
}

// WithoutNoCertificate returns f without the NoCertificate element: the
// fingerprint as it comes back from a JSON round trip.
func (f Fingerprint) WithoutNoCertificate() Fingerprint {
	n := len(f.Elements)
	if n > 0 && f.Elements[n-1].Kind == NoCertificate {
		return Fingerprint{Elements: f.Elements[: n-1 : n-1], NFlows: f.NFlows}
	}
	return f
}

// String formats the fingerprint as the reference does
// ("Fingerprint [size=   7]").
func (f Fingerprint) String() string {
	return fmt.Sprintf("Fingerprint [size=%4d]", f.Len())
}

// Summary formats size, flow count and elements, a stable replacement for
// the object address the reference prints in fingerprint mode.
func (f Fingerprint) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fingerprint [size=%4d] [n_flows=%d] {", f.Len(), f.NFlows)
	for i, e := range f.Elements {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.String())
	}
	b.WriteByte('}')
	return b.String()
}

// Jaccard returns |a ∩ b| / max(|a ∪ b|, 1), the reference's
// Fingerprint.compare.
func Jaccard(a, b Fingerprint) float64 {
	i, j, inter := 0, 0, 0
	for i < len(a.Elements) && j < len(b.Elements) {
		switch c := CompareElements(a.Elements[i], b.Elements[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	return jaccard(inter, len(a.Elements), len(b.Elements))
}

func jaccard(inter, la, lb int) float64 {
	union := la + lb - inter
	if union < 1 {
		union = 1
	}
	return float64(inter) / float64(union)
}

// canonicalSerial normalises a decimal integer literal (as found in JSON)
// to the canonical form used in Element.Serial.
func canonicalSerial(s string) (string, error) {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		v, _ := strconv.ParseInt(s, 10, 64)
		return strconv.FormatInt(v, 10), nil
	}
	var v big.Int
	if _, ok := v.SetString(s, 10); !ok {
		return "", fmt.Errorf("certificate serial %q is not an integer", s)
	}
	return v.String(), nil
}
