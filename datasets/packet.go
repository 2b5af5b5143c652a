package datasets

import (
	"errors"
	"fmt"
	"net/netip"
)

// Protocol is the transport protocol of a packet record.
type Protocol uint8

// Transport protocols carried by packet records. The values are the IP
// protocol numbers.
const (
	UnknownProto Protocol = 0
	TCP          Protocol = 6
	UDP          Protocol = 17
)

// String returns "tcp", "udp" or "unknown", the spelling of the packet CSV
// format.
func (p Protocol) String() string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	}
	return "unknown"
}

// ParseProtocol is the inverse of Protocol.String. It is case-insensitive
// and maps anything it does not know to UnknownProto.
func ParseProtocol(s string) Protocol {
	switch s {
	case "tcp", "TCP", "6":
		return TCP
	case "udp", "UDP", "17":
		return UDP
	}
	return UnknownProto
}

// Packet is one TCP or UDP packet, the record every method consumes.
//
// Stream numbers flows the way tshark's tcp.stream and udp.stream do: one
// counter per protocol, a new index for each new conversation (the unordered
// pair of address and port endpoints) in order of first appearance in the
// capture.
type Packet struct {
	// Frame is the 1-based number of the frame in its capture, counting
	// every frame, including those that are not TCP or UDP. Zero when the
	// record did not come from a capture (CSV input without frame numbers).
	Frame int64
	// Time is the capture timestamp in nanoseconds since the Unix epoch.
	Time int64
	// Proto is TCP or UDP (UnknownProto only for CSV rows that say so).
	Proto Protocol
	// Stream is the per-protocol conversation index (tcp.stream/udp.stream),
	// or -1 when unknown.
	Stream int64
	// Src and Dst are the IPv4 or IPv6 endpoint addresses.
	Src, Dst netip.Addr
	// SrcPort and DstPort are the transport ports.
	SrcPort, DstPort uint16
	// FrameLen is the length of the frame on the wire in bytes (frame.len).
	FrameLen int
	// IPLen is the IP total length in bytes: the IPv4 total-length field, or
	// for IPv6 the payload length plus the 40-byte fixed header (ip.len).
	IPLen int
	// Cert is the DER encoding of the first certificate of a TLS Certificate
	// handshake message completed by this packet (the server's leaf
	// certificate), or nil.
	Cert []byte
	// SNI is the server name of a TLS ClientHello completed by this packet,
	// or "".
	SNI string
}

// Seconds returns the timestamp as float64 seconds since the epoch, the
// unit of the reference implementations, correctly rounded (see
// ExactSeconds).
func (p *Packet) Seconds() float64 { return ExactSeconds(p.Time) }

// Source is a stream of packet records, read one at a time in capture order,
// in the style of bufio.Scanner:
//
//	for src.Scan() {
//		p := src.Packet()
//		...
//	}
//	if err := src.Err(); err != nil { ... }
//
// The record returned by Packet, including its Cert slice, is valid only
// until the next call to Scan; copy it to keep it.
type Source interface {
	// Scan advances to the next packet record and reports whether there is
	// one. It returns false at the end of the input or on an error.
	Scan() bool
	// Packet returns the current record.
	Packet() *Packet
	// Err returns the first error met, or nil at a clean end of input.
	Err() error
}

// ErrMalformed is wrapped by every error about damaged or invalid input, so
// that callers can tell bad data from I/O failures with errors.Is.
var ErrMalformed = errors.New("malformed input")

// ErrTruncated is wrapped by the error of a capture that ends in the middle
// of a record: the last record was cut, as when the capturing program is
// killed. It wraps ErrMalformed. The records before the cut are whole.
var ErrTruncated = fmt.Errorf("the file ends in the middle of a record: %w", ErrMalformed)
