package flowprint

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"

	"appbench/datasets"
)

// Flow is a bidirectional TCP or UDP conversation as the reference builds
// it (spec §2).
type Flow struct {
	// Label is the flow's label: the capture path on the command line, the
	// app for labelled datasets.
	Label string
	// Proto and Stream form the flow key together with Label.
	Proto  datasets.Protocol
	Stream int64
	// Src/SrcPort is the client side and Dst/DstPort the destination, as
	// fixed by the first packet: when its source port is greater than its
	// destination port the packet goes client -> destination, otherwise
	// (equal ports included) its source is taken as the destination.
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	// Cert is the decimal X.509 serial number of the flow's first
	// certificate, or "" when no packet carried one.
	Cert string
	// Times are the packet timestamps in seconds since the epoch, in
	// capture order.
	Times []float64
	// Lengths are the packet lengths (IP total length), positive from Src,
	// negative towards it.
	Lengths []int
	// Start and End are the smallest and largest timestamp.
	Start, End float64
}

// Destination returns the flow's destination element.
func (f *Flow) Destination() Element { return DestinationElement(f.Dst, f.DstPort) }

// InputMode selects which packets take part in flows.
type InputMode uint8

const (
	// Reference reads packets as the reference's tshark backend does: only
	// IPv4 packets count (its field list has no IPv6 fields, so IPv6 lines
	// are dropped), certificates are X.509 serial numbers.
	Reference InputMode = iota
	// Full keeps IPv6 packets as well.
	Full
)

// CertPolicy says what happens when a flow sees a second, different
// certificate.
type CertPolicy uint8

const (
	// CertConflictError is the reference (master) behaviour: a different
	// certificate later in a flow is an error, and the whole capture is
	// skipped by the caller (spec §2, QUIRK).
	CertConflictError CertPolicy = iota
	// CertKeepFirst keeps the flow's first certificate and ignores later
	// ones (the MAppGraph authors' "enhanced" behaviour, recommended).
	CertKeepFirst
)

// FlowOptions configure flow construction.
type FlowOptions struct {
	// Mode is Reference (IPv4 only) or Full (IPv4 and IPv6).
	Mode InputMode
	// CertConflict is CertConflictError (reference) or CertKeepFirst.
	CertConflict CertPolicy
	// IgnoreCertificates drops every certificate (the enhanced training
	// scripts blank the certificate column).
	IgnoreCertificates bool
	// CertificateHash identifies certificates by the SHA-256 digest of
	// their DER encoding (as a decimal integer) instead of their serial
	// number, correcting the reference quirk that merges servers whose
	// certificates share a serial number. Default false (reference).
	CertificateHash bool
	// DropUnknownProtocol leaves out packets whose protocol is neither TCP
	// nor UDP (the enhanced CSV loaders drop protocol "unknown"; the
	// reference's master keeps them as flows of protocol "unknown").
	DropUnknownProtocol bool
}

// ErrCertConflict is wrapped by the error a flow reports when it meets a
// second, different certificate under CertConflictError.
var ErrCertConflict = errors.New("flow has two different certificates")

// Builder groups packet records of one capture into flows, in order of
// first packet.
type Builder struct {
	label string
	opts  FlowOptions
	flows []Flow
	index map[flowKey]int32
	// BadCerts counts certificates whose serial number could not be read;
	// they are treated as absent.
	BadCerts int
	// Skipped counts packets left out by the input mode (IPv6 in
	// Reference mode) or because they are not TCP/UDP records.
	Skipped int
}

type flowKey struct {
	proto  datasets.Protocol
	stream int64
}

// NewBuilder returns a builder whose flows carry label.
func NewBuilder(label string, opts FlowOptions) *Builder {
	return &Builder{label: label, opts: opts, index: make(map[flowKey]int32)}
}

// Add adds one packet. Its certificate, if any, is reduced to the X.509
// serial number; a certificate whose serial cannot be read is treated as
// absent and counted in BadCerts. The error, if any, names the packet's
// frame number.
func (b *Builder) Add(p *datasets.Packet) error {
	if !p.Src.IsValid() || !p.Dst.IsValid() {
		b.Skipped++
		return nil
	}
	if b.opts.Mode == Reference && (!p.Src.Is4() || !p.Dst.Is4()) {
		b.Skipped++
		return nil
	}
	if b.opts.DropUnknownProtocol && p.Proto != datasets.TCP && p.Proto != datasets.UDP {
		b.Skipped++
		return nil
	}
	cert := ""
	if len(p.Cert) > 0 && !b.opts.IgnoreCertificates {
		if b.opts.CertificateHash {
			sum := sha256.Sum256(p.Cert)
			cert = new(big.Int).SetBytes(sum[:]).String()
		} else if s, err := CertSerial(p.Cert); err != nil {
			b.BadCerts++
		} else {
			cert = s
		}
	}
	t := datasets.ExactSeconds(p.Time)
	if err := b.AddRecord(p.Proto, p.Stream, t, p.IPLen, p.Src, p.Dst, p.SrcPort, p.DstPort, cert); err != nil {
		return fmt.Errorf("flowprint: frame %d: %w", p.Frame, err)
	}
	return nil
}

// AddRecord adds one packet given by the reference's fields (spec §1):
// protocol, stream index, time in seconds, length, addresses, ports and the
// certificate serial ("" for none).
func (b *Builder) AddRecord(proto datasets.Protocol, stream int64, t float64, length int,
	src, dst netip.Addr, sport, dport uint16, cert string) error {
	if b.opts.IgnoreCertificates {
		cert = ""
	}
	k := flowKey{proto, stream}
	i, ok := b.index[k]
	if !ok {
		f := Flow{Label: b.label, Proto: proto, Stream: stream, Start: t, End: t}
		if sport > dport {
			f.Src, f.SrcPort, f.Dst, f.DstPort = src, sport, dst, dport
		} else {
			f.Src, f.SrcPort, f.Dst, f.DstPort = dst, dport, src, sport
		}
		i = int32(len(b.flows))
		b.flows = append(b.flows, f)
		b.index[k] = i
	}
	f := &b.flows[i]
	if ok {
		ipsMatch := (src == f.Src && dst == f.Dst) || (src == f.Dst && dst == f.Src)
		portsMatch := (sport == f.SrcPort && dport == f.DstPort) || (sport == f.DstPort && dport == f.SrcPort)
		if !ipsMatch && !portsMatch {
			return fmt.Errorf("%s stream %d: packet %s:%d -> %s:%d does not belong to flow %s:%d <-> %s:%d",
				proto, stream, src, sport, dst, dport, f.Src, f.SrcPort, f.Dst, f.DstPort)
		}
	}
	if cert != "" {
		switch {
		case f.Cert == "":
			f.Cert = cert
		case f.Cert != cert && b.opts.CertConflict == CertConflictError:
			return fmt.Errorf("%s stream %d: certificate %s after %s: %w", proto, stream, cert, f.Cert, ErrCertConflict)
		}
	}
	if src == f.Src {
		f.Lengths = append(f.Lengths, length)
	} else {
		f.Lengths = append(f.Lengths, -length)
	}
	f.Times = append(f.Times, t)
	if t < f.Start {
		f.Start = t
	}
	if t > f.End {
		f.End = t
	}
	return nil
}

// Flows returns the flows built so far, in order of first packet.
func (b *Builder) Flows() []Flow { return b.flows }

// FlowsFromSource reads every packet of src into flows labelled label. Any
// error (of the source or of flow construction) is returned with the flows
// read so far; the reference skips a capture that fails.
func FlowsFromSource(src datasets.Source, label string, opts FlowOptions) ([]Flow, error) {
	b := NewBuilder(label, opts)
	for src.Scan() {
		if err := b.Add(src.Packet()); err != nil {
			return b.Flows(), fmt.Errorf("%s: %w", label, err)
		}
	}
	if err := src.Err(); err != nil {
		return b.Flows(), fmt.Errorf("%s: %w", label, err)
	}
	return b.Flows(), nil
}

// FlowsFromPackets builds the flows of a packet slice (one capture or
// chunk) labelled label.
func FlowsFromPackets(pkts []datasets.Packet, label string, opts FlowOptions) ([]Flow, error) {
	b := NewBuilder(label, opts)
	for i := range pkts {
		if err := b.Add(&pkts[i]); err != nil {
			return b.Flows(), fmt.Errorf("%s: packet %d: %w", label, i, err)
		}
	}
	return b.Flows(), nil
}

// ErrBadCertificate is wrapped by CertSerial's errors.
var ErrBadCertificate = errors.New("flowprint: cannot read certificate serial number")

// CertSerial returns the serial number of a DER-encoded X.509 certificate
// as a decimal string. It walks only the DER structure up to the serial
// (Certificate SEQUENCE, TBSCertificate SEQUENCE, optional [0] version,
// INTEGER), so it also reads certificates that crypto/x509 rejects.
func CertSerial(der []byte) (string, error) {
	body, _, err := derElement(der, 0x30)
	if err != nil {
		return "", fmt.Errorf("%w: certificate: %v", ErrBadCertificate, err)
	}
	tbs, _, err := derElement(body, 0x30)
	if err != nil {
		return "", fmt.Errorf("%w: tbsCertificate: %v", ErrBadCertificate, err)
	}
	if len(tbs) > 0 && tbs[0] == 0xa0 {
		_, rest, err := derElement(tbs, 0xa0)
		if err != nil {
			return "", fmt.Errorf("%w: version: %v", ErrBadCertificate, err)
		}
		tbs = rest
	}
	serial, _, err := derElement(tbs, 0x02)
	if err != nil {
		return "", fmt.Errorf("%w: serialNumber: %v", ErrBadCertificate, err)
	}
	if len(serial) == 0 {
		return "", fmt.Errorf("%w: empty serialNumber", ErrBadCertificate)
	}
	if len(serial) <= 8 {
		var v int64
		for _, c := range serial {
			v = v<<8 | int64(c)
		}
		if serial[0]&0x80 != 0 && len(serial) < 8 {
			v -= 1 << (8 * uint(len(serial)))
		}
		return strconv.FormatInt(v, 10), nil
	}
	var v big.Int
	v.SetBytes(serial)
	if serial[0]&0x80 != 0 {
		var m big.Int
		m.Lsh(big.NewInt(1), uint(8*len(serial)))
		v.Sub(&v, &m)
	}
	return v.String(), nil
}

// derElement reads one DER element with the given tag at the start of b and
// returns its contents and what follows it.
func derElement(b []byte, tag byte) (content, rest []byte, err error) {
	if len(b) < 2 {
		return nil, nil, errors.New("truncated")
	}
	if b[0] != tag {
		return nil, nil, fmt.Errorf("tag 0x%02x, want 0x%02x", b[0], tag)
	}
	n := int(b[1])
	off := 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 || len(b) < 2+k {
			return nil, nil, errors.New("bad length")
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		off += k
	}
	if n < 0 || len(b)-off < n {
		return nil, nil, errors.New("length beyond end of data")
	}
	return b[off : off+n], b[off+n:], nil
}
