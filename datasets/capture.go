package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Magic numbers of the capture formats NewCaptureReader understands.
const (
	pcapMagicMicro     = 0xa1b2c3d4 // classic pcap, microsecond timestamps
	pcapMagicNano      = 0xa1b23c4d // classic pcap, nanosecond timestamps
	pcapMagicModified  = 0xa1b2cd34 // Kuznetsov's modified pcap (24- or 28-byte record headers)
	pcapngMagicSection = 0x0a0d0d0a // pcapng section header block type
)

// maxRecordLen is the largest captured length of one record that the reader
// accepts, the limit tshark 4.0 applies to pcap files (WTAP_MAX_PACKET_SIZE_STANDARD).
// A larger record length means a damaged file.
const maxRecordLen = 262144

// IsCaptureMagic reports whether head, the first bytes of a file, starts
// with the magic number of a classic pcap file (micro- or nanosecond
// timestamps, either byte order, including the modified pcap variant) or of
// a pcapng section header block. At least 4 bytes are needed.
func IsCaptureMagic(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	le := binary.LittleEndian.Uint32(head)
	be := binary.BigEndian.Uint32(head)
	for _, m := range [...]uint32{pcapMagicMicro, pcapMagicNano, pcapMagicModified} {
		if le == m || be == m {
			return true
		}
	}
	return le == pcapngMagicSection
}

// CaptureOptions tune a CaptureReader. The zero value is ready to use.
type CaptureOptions struct {
	// NoTLS turns off TCP reassembly and TLS handshake parsing: packets
	// then never carry Cert or SNI. It makes reading faster when those
	// fields are not wanted.
	NoTLS bool
	// TLSBufferSize bounds the bytes buffered per TCP direction while a TLS
	// record or handshake message spans several segments; a direction that
	// needs more is given up (counted in CaptureStats.TLSAbandoned).
	// Zero means 64 KiB.
	TLSBufferSize int
}

// CaptureStats counts what a CaptureReader has read so far. Every frame is
// either yielded as a TCP or UDP record or counted under exactly one skip
// reason, so Frames = TCP + UDP + the Skipped* fields.
type CaptureStats struct {
	// Frames is the number of records (frames) read from the file.
	Frames int64
	// TCP and UDP are the numbers of packet records yielded per protocol.
	TCP, UDP int64
	// SkippedLinkType counts frames of a link type the reader does not
	// decode (the file's or, in pcapng, the interface's).
	SkippedLinkType int64
	// SkippedNotIP counts frames whose network layer is not IPv4 or IPv6
	// (ARP, LLC, ...).
	SkippedNotIP int64
	// SkippedNotTransport counts IP packets that carry neither TCP nor UDP
	// (ICMP, IGMP, ESP, ... ; ICMP errors quoting a TCP or UDP header are
	// counted here too).
	SkippedNotTransport int64
	// SkippedFragment counts IPv4 and IPv6 fragments that do not complete
	// a datagram (a completing fragment yields the datagram's record).
	SkippedFragment int64
	// SkippedMalformed counts frames cut short or damaged before the end
	// of their TCP or UDP header.
	SkippedMalformed int64
	// TLSCerts and TLSSNIs count the records that carry a certificate or a
	// server name.
	TLSCerts, TLSSNIs int64
	// TLSAbandoned counts TCP directions whose TLS parsing was given up
	// because a record, a handshake message or the bytes held after a gap
	// outgrew the buffer, or because the records could not be found again
	// after missing bytes.
	TLSAbandoned int64
}

// skipReason says why a frame produced no packet record.
type skipReason uint8

const (
	skipNone skipReason = iota
	skipLinkType
	skipNotIP
	skipNotTransport
	skipFragment
	skipMalformed
)

func (s skipReason) String() string {
	switch s {
	case skipLinkType:
		return "unsupported link type"
	case skipNotIP:
		return "not IP"
	case skipNotTransport:
		return "not TCP/UDP"
	case skipFragment:
		return "IP fragment"
	case skipMalformed:
		return "truncated or malformed"
	}
	return "none"
}

// CaptureReader reads a pcap or pcapng capture and yields one Packet per
// TCP or UDP packet, in capture order. It implements Source.
//
// Decoding follows tshark 4.0 (the reference of the packet CSVs):
//
//   - Link types: Ethernet (with 802.1Q VLAN tags, QinQ included, MPLS,
//     PPPoE, unencrypted MACsec and NSH), Linux cooked captures SLL and SLL2,
//     raw IP (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 and the DLT_RAW
//     values 12 and 14), BSD null and OpenBSD loop, PPP, Linux NFLOG, IP
//     over InfiniBand and Linux ARCNET. Frames of other link types are
//     skipped and counted.
//   - IPv4 and IPv6, IPv6 extension headers (hop-by-hop, routing,
//     destination options, AH) are skipped over. An IPv6 jumbogram (payload
//     length 0 with a hop-by-hop Jumbo Payload option above 65535, as BIG
//     TCP senders emit) takes its length from the option; a zero payload
//     length without a valid option is malformed, as in tshark 4.0. IP fragments are
//     reassembled as tshark does (see fragTable): the record is on the frame
//     that completes the datagram (with that frame's length and IP length);
//     the other fragments are skipped and counted.
//   - Tunnels: the record describes the first (outermost) TCP or UDP header
//     of the frame, with the IP header that carries it. IP-in-IP and GRE are
//     decoded through, so their record is the inner TCP or UDP packet (the
//     outer packet has no TCP or UDP header); a UDP tunnel (VXLAN, Geneve)
//     yields the outer UDP packet, and its inner TCP or UDP conversation is
//     only counted for stream numbering, as tshark numbers it too.
//   - ICMP errors quote the IP and TCP/UDP header of the packet that caused
//     them. Those quoted headers are ignored: an ICMP packet yields no record
//     and creates no conversation. (tshark lists the quoted header with the
//     stream index of the conversation it quotes; an ICMP error is not a
//     packet of that flow, so the reader leaves it out.)
//   - A UDP length field below 8 or a TCP data offset below 5 makes the
//     frame malformed: tshark shows the ports of such a header but gives it
//     no stream index.
//   - Stream numbers the conversations as tshark's tcp.stream and udp.stream
//     do; see the Packet type and streamTable.
//   - Cert and SNI come from TCP payload reassembled per direction; see
//     tlsDir for the rules.
//
// Memory does not grow with the number of packets: frames are decoded in
// place, TLS and fragment buffers are bounded and recycled. It grows with
// the number of conversations (one small entry each, kept for the stream
// numbering, as tshark keeps them).
//
// A CaptureReader is not safe for concurrent use.
//
// Errors: damage to the file structure (bad header, impossible record or
// block length, file cut in the middle of a record) ends the reading with an
// error that names the file and the frame number and wraps ErrMalformed;
// the records before it have been yielded. A file that ends in the middle
// of its last record (or whose compressed stream is cut short) gives an
// error that also wraps ErrTruncated. A frame that is readable but
// whose headers are damaged or cut short is skipped and counted in
// CaptureStats.SkippedMalformed.
type CaptureReader struct {
	name string
	opts CaptureOptions

	next   func() (data []byte, ci recordInfo, err error)
	ioerr  *errRecorder
	ng     bool      // pcapng (for error messages)
	blocks *ngBlocks // pcapng block lengths, to tell a cut block from a bad length
	frame  int64
	pkt    Packet
	err    error
	done   bool
	stats  CaptureStats
	dec    decoder
	stream streamTable

	// onSkip, when set (by tests), is told about every frame that yields
	// no record.
	onSkip func(frame int64, why skipReason)
}

// recordInfo is the per-record header information of either format.
type recordInfo struct {
	timeNs  int64
	caplen  int
	origLen int
	link    layers.LinkType
}

// errRecorder remembers the first error of the underlying reader that is
// not io.EOF, so that format errors can be told apart from I/O errors.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// NewCaptureReader returns a reader of the capture r. name identifies the
// capture in error messages (usually its path). The format (classic pcap in
// any byte order and timestamp precision, the modified pcap variant, or
// pcapng; optionally gzip-compressed) is sniffed from the first bytes. It
// reads and checks the file header; an unknown format is an error wrapping
// ErrMalformed.
//
// Some patched libpcaps wrote longer record headers under the standard or
// the modified magic number: Red Hat 6.1's (24 bytes, "ss990417"), Nokia's
// (20 bytes) and SuSE 6.3's (28 bytes, "ss990915", modified magic). As
// tshark 4.0 does, the layout of a version 2.4 microsecond file and of a
// modified-magic file is chosen by trying each candidate on the first three
// records (see choosePcapVariant); the records are looked at, not consumed,
// so this works on pipes as well (where tshark assumes the standard
// layout).
func NewCaptureReader(r io.Reader, name string, opts CaptureOptions) (*CaptureReader, error) {
	if opts.TLSBufferSize <= 0 {
		opts.TLSBufferSize = 64 << 10
	}
	cr := &CaptureReader{name: name, opts: opts}
	cr.ioerr = &errRecorder{r: r}
	br := bufio.NewReaderSize(cr.ioerr, 1<<16)
	head, err := br.Peek(4)
	if err != nil {
		if cr.ioerr.err != nil {
			return nil, fmt.Errorf("datasets: %s: reading capture header: %w", name, cr.ioerr.err)
		}
		return nil, fmt.Errorf("datasets: %s: file too short for a capture header (%d bytes): %w", name, len(head), ErrMalformed)
	}
	if isGzip(head) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: gzip header: %v: %w", name, err, ErrMalformed)
		}
		br = bufio.NewReaderSize(zr, 1<<16)
		if head, err = br.Peek(4); err != nil {
			return nil, fmt.Errorf("datasets: %s: compressed file too short for a capture header: %w", name, ErrMalformed)
		}
	}
	switch {
	case binary.LittleEndian.Uint32(head) == pcapngMagicSection:
		cr.ng = true
		cr.blocks = &ngBlocks{r: br}
		ng, err := pcapgo.NewNgReader(cr.blocks, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, cr.formatError(err, "pcapng section header")
		}
		cr.next = func() ([]byte, recordInfo, error) {
			data, ci, err := ng.ZeroCopyReadPacketData()
			if err != nil {
				return nil, recordInfo{}, err
			}
			ri := recordInfo{timeNs: ci.Timestamp.UnixNano(), caplen: len(data), origLen: ci.Length}
			if len(ci.AncillaryData) > 0 {
				if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
					ri.link = lt
				}
			}
			return data, ri, nil
		}
	case IsCaptureMagic(head):
		p, err := newPcapReader(br)
		if err != nil {
			return nil, cr.formatError(err, "pcap file header")
		}
		cr.next = p.next
	default:
		return nil, fmt.Errorf("datasets: %s: not a pcap or pcapng capture (magic % x): %w", name, head, ErrMalformed)
	}
	cr.stream.init(!opts.NoTLS, opts.TLSBufferSize)
	return cr, nil
}

// formatError turns an error of the format layer into the reader's error:
// an I/O error of the underlying reader is returned as is (wrapped with the
// place), anything else is malformed input.
func (cr *CaptureReader) formatError(err error, where string) error {
	if cr.ioerr.err != nil {
		return fmt.Errorf("datasets: %s: %s: %w", cr.name, where, cr.ioerr.err)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		what := "file cut short"
		if cr.ng {
			what = "pcapng block cut short or with a wrong length"
		}
		return fmt.Errorf("datasets: %s: %s: %s: %w", cr.name, where, what, ErrMalformed)
	}
	return fmt.Errorf("datasets: %s: %s: %v: %w", cr.name, where, err, ErrMalformed)
}

// recordError is formatError for the error of reading a record: a record
// cut by the end of the file (or of its compressed stream) wraps
// ErrTruncated.
func (cr *CaptureReader) recordError(err error, where string) error {
	if cr.ioerr.err == io.ErrUnexpectedEOF { // a gzip stream cut short
		return fmt.Errorf("datasets: %s: %s: compressed data cut short: %w", cr.name, where, ErrTruncated)
	}
	if cr.blocks != nil && cr.blocks.bad != "" {
		return fmt.Errorf("datasets: %s: %s: %s: %w", cr.name, where, cr.blocks.bad, ErrMalformed)
	}
	if cr.ioerr.err == nil && (err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)) {
		what := strings.TrimSuffix(err.Error(), ": "+io.ErrUnexpectedEOF.Error())
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			what = "record cut short"
			if cr.ng {
				what = "pcapng block cut short"
			}
		}
		return fmt.Errorf("datasets: %s: %s: %s: %w", cr.name, where, what, ErrTruncated)
	}
	return cr.formatError(err, where)
}

// Scan advances to the next TCP or UDP packet. It returns false at the end
// of the capture or on an error (see Err).
func (cr *CaptureReader) Scan() bool {
	if cr.done {
		return false
	}
	for {
		data, ri, err := cr.next()
		if err != nil {
			cr.done = true
			if err == io.EOF && cr.ioerr.err == nil {
				return false
			}
			cr.err = cr.recordError(err, fmt.Sprintf("frame %d", cr.frame+1))
			return false
		}
		cr.frame++
		cr.stats.Frames++
		why := cr.decode(data, ri)
		if why == skipNone {
			return true
		}
		cr.skip(why)
	}
}

func (cr *CaptureReader) skip(why skipReason) {
	switch why {
	case skipLinkType:
		cr.stats.SkippedLinkType++
	case skipNotIP:
		cr.stats.SkippedNotIP++
	case skipNotTransport:
		cr.stats.SkippedNotTransport++
	case skipFragment:
		cr.stats.SkippedFragment++
	default:
		cr.stats.SkippedMalformed++
	}
	if cr.onSkip != nil {
		cr.onSkip(cr.frame, why)
	}
}

// decode fills cr.pkt from one frame, or says why it yields nothing.
func (cr *CaptureReader) decode(data []byte, ri recordInfo) skipReason {
	h, why := cr.dec.decode(data, ri.link, &cr.stream)
	if why != skipNone {
		return why
	}
	p := &cr.pkt
	*p = Packet{
		Frame:    cr.frame,
		Time:     ri.timeNs,
		Proto:    h.proto,
		Src:      h.src,
		Dst:      h.dst,
		SrcPort:  h.sport,
		DstPort:  h.dport,
		FrameLen: max(ri.origLen, ri.caplen),
		IPLen:    h.ipLen,
	}
	if h.proto == TCP {
		cr.stats.TCP++
	} else {
		cr.stats.UDP++
	}
	p.Stream = cr.stream.packet(h, p)
	if p.Cert != nil {
		cr.stats.TLSCerts++
	}
	if p.SNI != "" {
		cr.stats.TLSSNIs++
	}
	cr.stats.TLSAbandoned = cr.stream.abandoned
	return skipNone
}

// Packet returns the current record. It and its Cert bytes are valid until
// the next call to Scan.
func (cr *CaptureReader) Packet() *Packet { return &cr.pkt }

// Err returns the error that ended the reading, or nil at a clean end of
// the capture. It wraps ErrMalformed when the capture is damaged.
func (cr *CaptureReader) Err() error { return cr.err }

// Stats returns the counts of frames read so far.
func (cr *CaptureReader) Stats() CaptureStats { return cr.stats }

// pcapReader reads classic pcap records straight out of a bufio.Reader's
// buffer (no copy when a record fits in it).
type pcapReader struct {
	br      *bufio.Reader
	order   binary.ByteOrder
	nano    bool
	hdrLen  int
	link    layers.LinkType
	variant pcapVariant // the layout of the record headers
	pending int         // bytes of the previous record still to discard
	big     []byte
}

// newPcapReader reads and checks the file header of a classic pcap file
// and chooses the layout of its record headers.
func newPcapReader(br *bufio.Reader) (*pcapReader, error) {
	hdr, err := br.Peek(24)
	if err != nil {
		return nil, err
	}
	p := &pcapReader{br: br, hdrLen: 16}
	switch binary.LittleEndian.Uint32(hdr) {
	case pcapMagicMicro:
		p.order = binary.LittleEndian
	case pcapMagicNano:
		p.order, p.nano = binary.LittleEndian, true
	case pcapMagicModified:
		p.order, p.hdrLen = binary.LittleEndian, 24
	default:
		switch binary.BigEndian.Uint32(hdr) {
		case pcapMagicMicro:
			p.order = binary.BigEndian
		case pcapMagicNano:
			p.order, p.nano = binary.BigEndian, true
		case pcapMagicModified:
			p.order, p.hdrLen = binary.BigEndian, 24
		default:
			return nil, fmt.Errorf("unknown magic % x", hdr[:4])
		}
	}
	major, minor := p.order.Uint16(hdr[4:]), p.order.Uint16(hdr[6:])
	if major != 2 {
		return nil, fmt.Errorf("unsupported pcap version %d.%d", major, minor)
	}
	p.link = layers.LinkType(p.order.Uint32(hdr[20:]))
	snaplen := p.order.Uint32(hdr[16:])
	if _, err := br.Discard(24); err != nil {
		return nil, err
	}
	p.chooseLayout(br, minor, snaplen)
	return p, nil
}

// chooseLayout sets the record header layout. As in wiretap, it is tried
// out on the first records (see choosePcapVariant) for the modified magic
// and for the standard microsecond magic of a version 2.4 or later file
// (the patched tcpdumps wrote 2.4; the nanosecond magic and earlier
// versions are standard). The records are then read from p.br, br or a
// reader with a larger buffer stacked on it by the trial.
func (p *pcapReader) chooseLayout(br *bufio.Reader, minor uint16, snaplen uint32) {
	p.variant = pcapStandard
	var candidates []pcapVariant
	switch {
	case p.hdrLen == 24:
		p.variant = pcapSS991029
		candidates = pcapVariantsModified
	case !p.nano && minor >= 4:
		candidates = pcapVariantsStandard
	}
	if candidates != nil {
		pk := &pcapPeeker{br: br}
		p.variant = choosePcapVariant(pk, p.order, snaplen, candidates)
		p.br = pk.br
	}
	p.hdrLen = p.variant.hdrLen
}

// layoutNote names the record header layout in error messages when it is
// not the standard one.
func (p *pcapReader) layoutNote() string {
	if p.variant == pcapStandard {
		return ""
	}
	return fmt.Sprintf(" (%s layout, %d-byte record headers)", p.variant.name, p.variant.hdrLen)
}

// next returns the next record's bytes, valid until the following call.
func (p *pcapReader) next() ([]byte, recordInfo, error) {
	if p.pending > 0 {
		if _, err := p.br.Discard(p.pending); err != nil {
			return nil, recordInfo{}, err
		}
		p.pending = 0
	}
	hdr, err := p.br.Peek(p.hdrLen)
	if err != nil {
		if err == io.EOF && len(hdr) > 0 {
			return nil, recordInfo{}, fmt.Errorf("record header cut short (%d of %d bytes): %w", len(hdr), p.hdrLen, io.ErrUnexpectedEOF)
		}
		return nil, recordInfo{}, err
	}
	sec := int64(p.order.Uint32(hdr[0:]))
	frac := p.order.Uint32(hdr[4:])
	if !p.nano {
		// In 32 bits, as tshark's pcap reader does: an out-of-range
		// microsecond field wraps around the same way.
		frac *= 1000
	}
	ri := recordInfo{
		timeNs:  sec*1e9 + int64(frac),
		caplen:  int(p.order.Uint32(hdr[8:])),
		origLen: int(p.order.Uint32(hdr[12:])),
		link:    p.link,
	}
	if ri.caplen > maxRecordLen || ri.caplen < 0 {
		return nil, recordInfo{}, fmt.Errorf("record length %d exceeds the maximum of %d%s", ri.caplen, maxRecordLen, p.layoutNote())
	}
	if _, err := p.br.Discard(p.hdrLen); err != nil {
		return nil, recordInfo{}, err
	}
	if ri.caplen <= p.br.Size() {
		data, err := p.br.Peek(ri.caplen)
		if err != nil {
			if err == io.EOF {
				err = fmt.Errorf("record data cut short (%d of %d bytes): %w", len(data), ri.caplen, io.ErrUnexpectedEOF)
			}
			return nil, recordInfo{}, err
		}
		p.pending = ri.caplen
		return data, ri, nil
	}
	if cap(p.big) < ri.caplen {
		p.big = make([]byte, ri.caplen)
	}
	data := p.big[:ri.caplen]
	if n, err := io.ReadFull(p.br, data); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = fmt.Errorf("record data cut short (%d of %d bytes): %w", n, ri.caplen, io.ErrUnexpectedEOF)
		}
		return nil, recordInfo{}, err
	}
	return data, ri, nil
}

// ngBlocks follows the block structure of a pcapng stream as it is read,
// so that a block length that cannot be right (below 12 or not a multiple
// of 4) is told apart from a last block cut by the end of the file: the
// pcapng reader reports both as an unexpected end of the file.
type ngBlocks struct {
	r     io.Reader
	order binary.ByteOrder
	hdr   [12]byte // type, length and (section header) byte-order magic
	hn    int      // bytes of hdr filled
	skip  int64    // bytes left of the current block after hdr
	bad   string   // the first impossible block length met
}

func (b *ngBlocks) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	for q := p[:n]; len(q) > 0 && b.bad == ""; {
		if b.skip > 0 {
			k := int(min(b.skip, int64(len(q))))
			b.skip -= int64(k)
			q = q[k:]
			continue
		}
		k := copy(b.hdr[b.hn:], q)
		b.hn += k
		q = q[k:]
		if b.hn == len(b.hdr) {
			b.block()
		}
	}
	return n, err
}

// block checks the header of the block that starts with b.hdr.
func (b *ngBlocks) block() {
	b.hn = 0
	if binary.LittleEndian.Uint32(b.hdr[:]) == pcapngMagicSection {
		b.order = binary.LittleEndian
		if binary.BigEndian.Uint32(b.hdr[8:]) == 0x1a2b3c4d {
			b.order = binary.BigEndian
		}
	}
	if b.order == nil {
		b.bad = "first block is not a section header"
		return
	}
	n := b.order.Uint32(b.hdr[4:])
	if n < 12 || n%4 != 0 {
		b.bad = fmt.Sprintf("block total length %d (block type %#x) is impossible", n, b.order.Uint32(b.hdr[:]))
		return
	}
	b.skip = int64(n) - int64(len(b.hdr))
}
