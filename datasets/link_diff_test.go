package datasets

import (
	"bytes"
	"encoding/binary"
	"os"
	"reflect"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// diffLinks are the link types a FuzzDecodeMatchesOld input can name, by
// index; the last one is a type the decoder does not know.
var diffLinks = [...]layers.LinkType{
	layers.LinkTypeEthernet, layers.LinkTypeNull, linkTypeLoop, layers.LinkTypeLinuxSLL,
	layers.LinkTypeLinuxSLL2, layers.LinkTypeIPv6, layers.LinkTypeRaw, linkTypeRawBSD,
	linkTypeRawOpenBSD, layers.LinkTypeIPv4, layers.LinkTypePPP, linkTypePPPHDLC,
	linkTypeNFLOG, linkTypeIPoIB, linkTypeARCnet, 147,
}

// diffFrame is one frame of a FuzzDecodeMatchesOld input.
type diffFrame struct {
	link layers.LinkType
	data []byte
}

// encodeDiffFrames encodes frames as a fuzz input: per frame a link type
// index byte, a uvarint length and the bytes.
func encodeDiffFrames(frames []diffFrame) []byte {
	var b []byte
	for _, fr := range frames {
		idx := len(diffLinks) - 1
		for i, l := range diffLinks {
			if l == fr.link {
				idx = i
			}
		}
		b = append(b, byte(idx))
		b = binary.AppendUvarint(b, uint64(len(fr.data)))
		b = append(b, fr.data...)
	}
	return b
}

// decodeDiffFrames is the inverse of encodeDiffFrames; a length past the
// end takes the rest of the input.
func decodeDiffFrames(b []byte) []diffFrame {
	var frames []diffFrame
	for len(b) > 0 {
		link := diffLinks[int(b[0])%len(diffLinks)]
		n, k := binary.Uvarint(b[1:])
		if k <= 0 {
			n, k = uint64(len(b)-1), 0
		}
		b = b[1+k:]
		n = min(n, uint64(len(b)))
		frames = append(frames, diffFrame{link: link, data: b[:n]})
		b = b[n:]
	}
	return frames
}

// captureFrames returns the frames of a capture file, cut into groups of at
// most about 16 KiB, small inputs that the fuzzer mutates quickly.
func captureFrames(tb testing.TB, path string) [][]diffFrame {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cr, err := NewCaptureReader(f, path, CaptureOptions{})
	if err != nil {
		return nil
	}
	var groups [][]diffFrame
	var cur []diffFrame
	size := 0
	for {
		data, ri, err := cr.next()
		if err != nil {
			break
		}
		cur = append(cur, diffFrame{link: ri.link, data: bytes.Clone(data)})
		if size += len(data); size >= 16<<10 {
			groups, cur, size = append(groups, cur), nil, 0
		}
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}

// FuzzDecodeMatchesOld checks that the decoder gives, frame by frame, the
// same header and skip reason as the decoder before it was split into one
// function per header, and leaves the same stream numbering behind.
func FuzzDecodeMatchesOld(f *testing.F) {
	for _, p := range captureFuzzFiles(f) {
		for _, g := range captureFrames(f, p) {
			f.Add(encodeDiffFrames(g))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxFuzzInput {
			return
		}
		var oldDec oldDecoder
		var newDec decoder
		var oldSt, newSt streamTable
		oldSt.init(false, 0)
		newSt.init(false, 0)
		for i, fr := range decodeDiffFrames(in) {
			ho, wo := oldDec.oldDecode(bytes.Clone(fr.data), fr.link, &oldSt)
			hn, wn := newDec.decode(bytes.Clone(fr.data), fr.link, &newSt)
			if wo != wn || (ho == nil) != (hn == nil) {
				t.Fatalf("frame %d (link %d): skip %v, header %v; before the split %v, %v", i, fr.link, wn, hn != nil, wo, ho != nil)
			}
			if ho != nil && !sameHeader(ho, hn) {
				t.Fatalf("frame %d (link %d): header %+v, before the split %+v", i, fr.link, *hn, *ho)
			}
			if !sameHeader(&oldDec.h, &newDec.h) || !sameHeader(&oldDec.inner, &newDec.inner) {
				t.Fatalf("frame %d (link %d): decoder state differs", i, fr.link)
			}
		}
		if !reflect.DeepEqual(oldSt, newSt) {
			t.Fatalf("stream tables differ: %+v, before the split %+v", newSt, oldSt)
		}
	})
}

// sameHeader reports whether two headers hold the same fields and payload
// bytes.
func sameHeader(a, b *header) bool {
	return a.proto == b.proto && a.src == b.src && a.dst == b.dst && a.sport == b.sport &&
		a.dport == b.dport && a.ipLen == b.ipLen && a.flags == b.flags && a.seq == b.seq &&
		a.ack == b.ack && bytes.Equal(a.payload, b.payload) && (a.payload == nil) == (b.payload == nil)
}
