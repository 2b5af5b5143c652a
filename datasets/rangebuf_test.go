package datasets

import (
	"bytes"
	"slices"
	"testing"
)

// TestRangeBuf stores pieces out of order, reuses the buffer and drops a
// prefix.
func TestRangeBuf(t *testing.T) {
	var r rangeBuf
	r.put(6, []byte("ghij"))
	r.put(0, []byte("abc"))
	if r.prefix() != 3 || !slices.Equal(r.have, [][2]int{{0, 3}, {6, 10}}) {
		t.Fatalf("prefix %d, ranges %v", r.prefix(), r.have)
	}
	if !bytes.Equal(r.buf, []byte("abc\x00\x00\x00ghij")) {
		t.Fatalf("bytes %q", r.buf)
	}
	r.put(3, []byte("def"))
	if r.prefix() != 10 || string(r.buf) != "abcdefghij" {
		t.Fatalf("after filling the hole: prefix %d, bytes %q", r.prefix(), r.buf)
	}
	r.drop(4)
	if string(r.buf) != "efghij" || !slices.Equal(r.have, [][2]int{{0, 6}}) {
		t.Fatalf("after drop: %q %v", r.buf, r.have)
	}
	r.reset()
	r.put(8, []byte("z"))
	if r.prefix() != 0 || !bytes.Equal(r.buf, []byte("\x00\x00\x00\x00\x00\x00\x00\x00z")) {
		t.Fatalf("reused buffer: prefix %d, bytes %q (holes must be zero)", r.prefix(), r.buf)
	}
	r.drop(9)
	if len(r.buf) != 0 || r.have != nil {
		t.Fatalf("after dropping everything: %q %v", r.buf, r.have)
	}
}
