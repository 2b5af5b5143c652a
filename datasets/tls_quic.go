package datasets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
)

// QUIC Initial packets are encrypted with keys that anyone can derive from
// the Destination Connection ID the client chose (RFC 9001 section 5.2).
// tshark derives them, decrypts the client's Initial packets, reassembles
// the CRYPTO frames and shows the ClientHello's server name; so does the
// reader. Server certificates travel in Handshake packets, whose keys are
// secret: QUIC records never carry Cert.

// QUIC versions whose Initial packets the reader decrypts.
const (
	quicV1      = 0x00000001
	quicV2      = 0x6b3343cf
	quicDraft29 = 0xff00001d
)

var (
	quicSaltV1      = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	quicSaltV2      = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	quicSaltDraft29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
)

// quicMaxCrypto bounds the CRYPTO stream bytes kept per connection while
// the ClientHello is incomplete.
const quicMaxCrypto = 16 << 10

// quicKeys are the client Initial keys of one Destination Connection ID.
type quicKeys struct {
	version uint32
	dcid    []byte
	aead    cipher.AEAD
	iv      [12]byte
	hp      cipher.Block
}

// quicConn is the client Initial state of one UDP conversation.
type quicConn struct {
	keys     quicKeys
	crypto   rangeBuf // CRYPTO stream from offset 0
	done     bool     // ClientHello found, or given up
	doneDCID []byte   // the Destination Connection ID of the finished connection
}

// hkdfExpandLabel is TLS 1.3's HKDF-Expand-Label with an empty context.
func hkdfExpandLabel(secret []byte, label string, n int) []byte {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	out, err := hkdf.Expand(sha256.New, secret, string(info), n)
	if err != nil {
		panic(err) // n is a small constant: cannot happen
	}
	return out
}

// deriveQUICKeys computes the client Initial keys for dcid.
func deriveQUICKeys(version uint32, dcid []byte) (quicKeys, bool) {
	salt, prefix := quicSaltV1, "quic "
	switch version {
	case quicV2:
		salt, prefix = quicSaltV2, "quicv2 "
	case quicDraft29:
		salt = quicSaltDraft29
	}
	initial, err := hkdf.Extract(sha256.New, dcid, salt)
	if err != nil {
		return quicKeys{}, false
	}
	client := hkdfExpandLabel(initial, "client in", 32)
	key := hkdfExpandLabel(client, prefix+"key", 16)
	iv := hkdfExpandLabel(client, prefix+"iv", 12)
	hpKey := hkdfExpandLabel(client, prefix+"hp", 16)
	block, err := aes.NewCipher(key)
	if err != nil {
		return quicKeys{}, false
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return quicKeys{}, false
	}
	hp, err := aes.NewCipher(hpKey)
	if err != nil {
		return quicKeys{}, false
	}
	k := quicKeys{version: version, dcid: append([]byte(nil), dcid...), aead: aead, hp: hp}
	copy(k.iv[:], iv)
	return k, true
}

// quicVarint reads a QUIC variable-length integer.
func quicVarint(b []byte) (uint64, int, bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	n := 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0, false
	}
	v := uint64(b[0] & 0x3f)
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	return v, n, true
}

// isQUICInitial reports whether a UDP payload starts with a long-header
// Initial packet of a version the reader knows.
func isQUICInitial(b []byte) bool {
	if len(b) < 7 || b[0]&0x80 == 0 {
		return false
	}
	typ := b[0] >> 4 & 3
	switch binary.BigEndian.Uint32(b[1:]) {
	case quicV1, quicDraft29:
		return typ == 0
	case quicV2:
		return typ == 1
	}
	return false
}

// quicDatagram processes the coalesced packets of one UDP datagram of the
// conversation k, and returns the server name when this datagram completes
// the client's ClientHello.
func (t *streamTable) quicDatagram(k convKey, b []byte) ([]byte, bool) {
	c := t.quic[k]
	if c != nil && c.done {
		// A client Initial with another Destination Connection ID is a
		// new connection on the same addresses and ports.
		if dl := int(b[5]); len(b) < 6+dl || bytes.Equal(b[6:6+dl], c.doneDCID) {
			return nil, false
		}
		c = nil
	}
	var sni []byte
	found := false
	for len(b) > 0 && isQUICInitial(b) {
		n, payload := t.quicOpen(k, &c, b)
		if n == 0 {
			break
		}
		b = b[n:]
		if payload == nil || c == nil {
			continue
		}
		if s, ok := t.quicFrames(c, payload); ok && !found {
			sni, found = s, true
		}
		if c.done {
			break
		}
	}
	return sni, found
}

// quicOpen removes header protection from and decrypts the Initial packet
// at the start of b. It returns the packet's length within the datagram
// (0 when it cannot be parsed) and its plaintext (nil when it does not
// decrypt with the client keys, e.g. a server packet).
func (t *streamTable) quicOpen(k convKey, cp **quicConn, b []byte) (int, []byte) {
	version := binary.BigEndian.Uint32(b[1:])
	off := 5
	dl := int(b[off])
	if dl > 20 || len(b) < off+1+dl+1 {
		return 0, nil
	}
	dcid := b[off+1 : off+1+dl]
	off += 1 + dl
	sl := int(b[off])
	if sl > 20 || len(b) < off+1+sl {
		return 0, nil
	}
	off += 1 + sl
	tl, n, ok := quicVarint(b[off:])
	if !ok || uint64(len(b)-off-n) < tl {
		return 0, nil
	}
	off += n + int(tl)
	length, n, ok := quicVarint(b[off:])
	if !ok || uint64(len(b)-off-n) < length {
		return 0, nil
	}
	off += n
	end := off + int(length)
	if off+4+16 > end {
		return end, nil
	}
	c := *cp
	var keys *quicKeys
	if c != nil && c.keys.version == version && bytes.Equal(c.keys.dcid, dcid) {
		keys = &c.keys
	} else {
		kk, ok := deriveQUICKeys(version, dcid)
		if !ok {
			return end, nil
		}
		keys = &kk
	}
	// Header protection.
	var mask [16]byte
	keys.hp.Encrypt(mask[:], b[off+4:off+20])
	hdr := append(t.quicHdr[:0], b[:off+4]...)
	hdr[0] ^= mask[0] & 0x0f
	pnLen := int(hdr[0]&3) + 1
	var pn uint64
	for i := range pnLen {
		hdr[off+i] ^= mask[1+i]
		pn = pn<<8 | uint64(hdr[off+i])
	}
	hdr = hdr[:off+pnLen]
	t.quicHdr = hdr
	nonce := keys.iv
	for i := range 8 {
		nonce[11-i] ^= byte(pn >> (8 * i))
	}
	plain, err := keys.aead.Open(t.quicPlain[:0], nonce[:], b[off+pnLen:end], hdr)
	if err != nil {
		return end, nil
	}
	t.quicPlain = plain
	if c == nil || keys != &c.keys {
		if c == nil {
			c = &quicConn{}
			if t.quic == nil {
				t.quic = make(map[convKey]*quicConn)
			}
			t.quic[k] = c
			*cp = c
		}
		c.keys = *keys
	}
	return end, plain
}

// quicFrames reads the frames of a decrypted Initial packet, adds its
// CRYPTO data to the connection's stream and returns the server name once
// the ClientHello is complete.
func (t *streamTable) quicFrames(c *quicConn, p []byte) ([]byte, bool) {
	for len(p) > 0 {
		typ, n, ok := quicVarint(p)
		if !ok {
			return nil, false
		}
		p = p[n:]
		switch typ {
		case 0x00, 0x01: // PADDING, PING
		case 0x02, 0x03: // ACK
			var vals [4]uint64
			for i := range vals {
				if vals[i], n, ok = quicVarint(p); !ok {
					return nil, false
				}
				p = p[n:]
			}
			extra := 2 * vals[2]
			if typ == 0x03 {
				extra += 3
			}
			for range extra {
				if _, n, ok = quicVarint(p); !ok {
					return nil, false
				}
				p = p[n:]
			}
		case 0x06: // CRYPTO
			o, n, ok := quicVarint(p)
			if !ok {
				return nil, false
			}
			p = p[n:]
			l, n, ok := quicVarint(p)
			if !ok || uint64(len(p)-n) < l {
				return nil, false
			}
			p = p[n:]
			t.quicCrypto(c, o, p[:l])
			p = p[l:]
		case 0x1c, 0x1d: // CONNECTION_CLOSE
			return nil, false
		default:
			return nil, false
		}
	}
	n := c.crypto.prefix()
	if n < 4 {
		return nil, false
	}
	s := c.crypto.buf[:n]
	need := 4 + (int(s[1])<<16 | int(s[2])<<8 | int(s[3]))
	if s[0] != 1 || need > quicMaxCrypto {
		t.quicRelease(c)
		return nil, false
	}
	if len(s) < need {
		return nil, false
	}
	sni, ok := clientHelloSNI(s[4:need])
	if ok {
		sni = append(t.quicSNI[:0], sni...)
		t.quicSNI = sni
	}
	t.quicRelease(c)
	return sni, ok
}

// quicCrypto stores CRYPTO stream bytes at offset o.
func (t *streamTable) quicCrypto(c *quicConn, o uint64, data []byte) {
	if o+uint64(len(data)) > quicMaxCrypto || len(data) == 0 {
		return
	}
	c.crypto.put(int(o), data)
}

// quicRelease ends the Initial processing of a connection.
func (t *streamTable) quicRelease(c *quicConn) {
	c.done = true
	c.doneDCID = c.keys.dcid
	c.crypto = rangeBuf{}
	c.keys = quicKeys{}
}
