package datasets

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestQUICKeys checks the Initial key derivation against the test vectors
// of RFC 9001 appendix A (QUIC v1) and RFC 9369 appendix A (QUIC v2).
func TestQUICKeys(t *testing.T) {
	dcid := mustHex(t, "8394c8f03e515708")
	sample := mustHex(t, "d1b1c98dd7689fb8ec11d242b123dc9b")
	for _, tc := range []struct {
		version  uint32
		iv, mask string
	}{
		{quicV1, "fa044b2f42a3fd3b46fb255c", "437b9aec36"},
		{quicV2, "91f73e2351d8fa91660e909f", ""},
	} {
		k, ok := deriveQUICKeys(tc.version, dcid)
		if !ok {
			t.Fatalf("version %#x: no keys", tc.version)
		}
		if got := hex.EncodeToString(k.iv[:]); got != tc.iv {
			t.Errorf("version %#x: iv %s, want %s", tc.version, got, tc.iv)
		}
		if tc.mask != "" {
			var m [16]byte
			k.hp.Encrypt(m[:], sample)
			if got := hex.EncodeToString(m[:5]); got != tc.mask {
				t.Errorf("version %#x: header protection mask %s, want %s", tc.version, got, tc.mask)
			}
		}
	}
}

// quicInitial builds a protected client Initial packet carrying the given
// frames, padded to 1200 bytes.
func quicInitial(t testing.TB, version uint32, dcid []byte, pn uint32, frames []byte) []byte {
	t.Helper()
	k, ok := deriveQUICKeys(version, dcid)
	if !ok {
		t.Fatal("no keys")
	}
	typ := byte(0)
	if version == quicV2 {
		typ = 1
	}
	hdr := []byte{0xc0 | typ<<4 | 1} // 2-byte packet number
	hdr = binary.BigEndian.AppendUint32(hdr, version)
	hdr = append(hdr, byte(len(dcid)))
	hdr = append(hdr, dcid...)
	hdr = append(hdr, 0, 0) // no SCID, no token
	payloadLen := 1200 - len(hdr) - 2 - 2 - 16
	plain := append(append([]byte{}, frames...), make([]byte, payloadLen-len(frames))...) // PADDING
	length := 2 + len(plain) + 16
	hdr = append(hdr, 0x40|byte(length>>8), byte(length))
	pnOff := len(hdr)
	hdr = binary.BigEndian.AppendUint16(hdr, uint16(pn))
	nonce := k.iv
	for i := range 8 {
		nonce[11-i] ^= byte(uint64(pn) >> (8 * i))
	}
	pkt := k.aead.Seal(append([]byte{}, hdr...), nonce[:], plain, hdr)
	var mask [16]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+20])
	pkt[0] ^= mask[0] & 0x0f
	pkt[pnOff] ^= mask[1]
	pkt[pnOff+1] ^= mask[2]
	return pkt
}

func cryptoFrame(off int, data []byte) []byte {
	f := []byte{0x06, 0x80 | byte(off>>24), byte(off >> 16), byte(off >> 8), byte(off), 0x40 | byte(len(data)>>8), byte(len(data))}
	return append(f, data...)
}

// TestQUICInitialSNI decrypts client Initial packets whose ClientHello is
// split into CRYPTO frames across two datagrams, out of order, and checks
// that the server name is reported on the datagram that completes it.
func TestQUICInitialSNI(t *testing.T) {
	ch := clientHello("quic.example")[5:] // the handshake message, without the TLS record header
	mid := len(ch) / 2
	for _, version := range []uint32{quicV1, quicV2, quicDraft29} {
		dcid := []byte{1, 2, 3, 4, 5, 6, 7, byte(version)}
		// First datagram: an ACK, a PING, then the second half; the second
		// datagram: the first half.
		first := append([]byte{0x02, 0, 0, 0, 0, 0x01}, cryptoFrame(mid, ch[mid:])...)
		d1 := quicInitial(t, version, dcid, 0, first)
		d2 := quicInitial(t, version, dcid, 1, cryptoFrame(0, ch[:mid]))
		server := quicInitial(t, version, []byte{9, 9, 9, 9}, 0, cryptoFrame(0, ch)) // wrong keys for a client
		var recs []capRecord
		for i, f := range []flowSpec{
			{src: cli4, dst: srv4, sport: 5000, dport: 443, payload: d1},
			{src: srv4, dst: cli4, sport: 443, dport: 5000, payload: server[:300]}, // cut: not decryptable
			{src: cli4, dst: srv4, sport: 5000, dport: 443, payload: d2},
			{src: cli4, dst: srv4, sport: 5000, dport: 443, payload: d2}, // repeated: no second report
		} {
			recs = append(recs, capRecord{timeNs: int64(i+1) * 1000, data: ethFrame(ipPacket(t, f))})
		}
		pkts, st, err := readCapture(t, pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, recs), CaptureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range pkts {
			got = append(got, p.SNI)
		}
		if want := []string{"", "", "quic.example", ""}; !slices.Equal(got, want) || st.TLSSNIs != 1 {
			t.Errorf("version %#x: SNIs %q, want %q (stats %+v)", version, got, want, st)
		}
	}
}

// TestQUICCryptoRanges checks the merging of received CRYPTO ranges.
func TestQUICCryptoRanges(t *testing.T) {
	var st streamTable
	c := &quicConn{}
	for _, r := range [][2]int{{10, 20}, {30, 40}, {0, 5}, {20, 30}, {5, 8}, {35, 50}} {
		st.quicCrypto(c, uint64(r[0]), bytes.Repeat([]byte{byte(r[0])}, r[1]-r[0]))
	}
	want := [][2]int{{0, 8}, {10, 50}}
	if have := c.crypto.have; len(have) != len(want) || have[0] != want[0] || have[1] != want[1] {
		t.Errorf("ranges %v, want %v", have, want)
	}
	if b := c.crypto.buf; b[9] != 0 || b[7] != 5 || b[45] != 35 {
		t.Errorf("crypto bytes misplaced: % x", b)
	}
}
