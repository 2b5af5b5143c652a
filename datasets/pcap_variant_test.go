package datasets

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gopacket/gopacket/layers"

	"appbench/internal/shared"
)

// variantRecords returns a few TCP and UDP packets (IPv4 and IPv6) in
// Ethernet frames, with UDP payloads of the given size.
func variantRecords(t testing.TB, payload int) []capRecord {
	const t0 = 1586386111_000000000
	specs := []flowSpec{
		{src: cli4, dst: srv4, sport: 40000, dport: 443, tcp: true, flags: tcpSYN, seq: 7},
		{src: srv4, dst: cli4, sport: 443, dport: 40000, tcp: true, flags: tcpSYN | tcpACK, seq: 9, ack: 8},
		{src: cli6, dst: srv6, sport: 5353, dport: 53, payload: bytes.Repeat([]byte{'q'}, payload)},
		{src: cli4, dst: srv4, sport: 40001, dport: 443, payload: bytes.Repeat([]byte{'u'}, payload)},
		{src: cli4, dst: srv4, sport: 40000, dport: 443, tcp: true, flags: tcpACK, seq: 8, ack: 10},
	}
	recs := make([]capRecord, len(specs))
	for i, f := range specs {
		recs[i] = capRecord{timeNs: t0 + int64(i)*1234567000, data: ethFrame(ipPacket(t, f))}
	}
	return recs
}

// tsharkAgrees checks, when tshark is installed, that tshark reads the
// capture data into the same TCP/UDP packets as the reader (pkts) and the
// same number of frames.
func tsharkAgrees(t *testing.T, name string, data []byte, pkts []Packet, frames int64) {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil || testing.Short() {
		return
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	compareTshark(t, name, tsharkRecords(t, tshark, path), pkts)
	if n := tsharkFrames(t, tshark, path); n != frames {
		t.Errorf("%s: tshark reads %d frames, the reader %d", name, n, frames)
	}
}

// tsharkFrames returns the number of frames tshark reads from path.
func tsharkFrames(t *testing.T, tshark, path string) int64 {
	t.Helper()
	out, err := exec.Command(tshark, "-n", "-r", path, "-T", "fields", "-e", "frame.number").Output()
	if err != nil {
		t.Fatalf("%s: tshark: %v", path, err)
	}
	return int64(strings.Count(string(out), "\n"))
}

// TestCapturePcapVariants reads files whose record headers have one of
// the patched layouts (told apart from the standard one only by trying
// the records, as wiretap does): they give the records of the same
// packets in a standard pcap file.
func TestCapturePcapVariants(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	eth := layers.LinkTypeEthernet
	recs := variantRecords(t, 30)
	// Records larger than the reader's 64 KiB buffer: the trial has to look
	// further ahead than the buffer holds.
	big := variantRecords(t, 60000)
	for _, tc := range []struct {
		name string
		recs []capRecord
		data []byte
	}{
		{"ss990417-le.pcap", recs, pcapLayoutFile(pcapMagicMicro, le, eth, 24, recs)},
		{"ss990417-be.pcap", recs, pcapLayoutFile(pcapMagicMicro, be, eth, 24, recs)},
		{"ss990417-one-record.pcap", recs[:1], pcapLayoutFile(pcapMagicMicro, le, eth, 24, recs[:1])},
		{"ss990417-large.pcap", big, pcapLayoutFile(pcapMagicMicro, le, eth, 24, big)},
		{"ss990417.pcap.gz", recs, gz(t, pcapLayoutFile(pcapMagicMicro, le, eth, 24, recs))},
		{"nokia.pcap", recs, pcapLayoutFile(pcapMagicMicro, le, eth, 20, recs)},
		{"ss991029.pcap", recs, pcapLayoutFile(pcapMagicModified, le, eth, 24, recs)},
		{"ss990915.pcap", recs, pcapLayoutFile(pcapMagicModified, be, eth, 28, recs)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, _, err := readCapture(t, pcapFile(pcapMagicMicro, le, eth, tc.recs), CaptureOptions{})
			if err != nil || len(want) != len(tc.recs) {
				t.Fatalf("standard file: %d records, err %v", len(want), err)
			}
			pkts, st, err := readCapture(t, tc.data, CaptureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if st.Frames != int64(len(tc.recs)) || len(pkts) != len(want) {
				t.Fatalf("%d frames, %d records; want %d of each", st.Frames, len(pkts), len(want))
			}
			for i := range want {
				if !sameCapturePacket(pkts[i], want[i]) {
					t.Errorf("record %d = %+v, want %+v", i, pkts[i], want[i])
				}
			}
			tsharkAgrees(t, tc.name, tc.data, pkts, st.Frames)
		})
	}
}

// TestCapturePcapVariantDamaged checks that damage after the records the
// layout is tried on ends the reading with an error naming the frame and
// the layout.
func TestCapturePcapVariantDamaged(t *testing.T) {
	recs := variantRecords(t, 30)
	data := pcapLayoutFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, 24, recs)
	off := 24
	for _, r := range recs[:3] {
		off += 24 + len(r.data)
	}
	binary.LittleEndian.PutUint32(data[off+8:], 1<<30)
	pkts, _, err := readCapture(t, data, CaptureOptions{})
	if len(pkts) != 3 || !errors.Is(err, ErrMalformed) || err == nil ||
		!strings.Contains(err.Error(), "frame 4") || !strings.Contains(err.Error(), "pcap-ss990417 layout, 24-byte record headers") {
		t.Errorf("%d records, err %v", len(pkts), err)
	}
}

// threeRecordTrial builds a Red Hat 6.1 (24-byte record header) file of
// three UDP packets whose first two records also look right as standard
// records: only the third standard header is implausible, so the layout
// is found only by trying three records.
func threeRecordTrial(t testing.TB) []byte {
	udp := func(payload []byte) []byte {
		return ethFrame(ipPacket(t, flowSpec{src: cli4, dst: srv4, sport: 1000, dport: 2000, payload: payload}))
	}
	// As standard records: the second header is the last 8 bytes of the
	// first frame (time 1.000005) and the first 8 of the second patched
	// header (seconds 100 as captured length, microseconds 200 as original
	// length); its 100 bytes end at offset 84 of the second frame, where
	// the third header is all ones.
	p1 := make([]byte, 40)
	binary.LittleEndian.PutUint32(p1[32:], 1)
	binary.LittleEndian.PutUint32(p1[36:], 5)
	p2 := make([]byte, 100)
	for i := 84 - 42; i < 100-42; i++ {
		p2[i] = 0xff
	}
	recs := []capRecord{
		{timeNs: 100_000200_000, data: udp(p1)},
		{timeNs: 100_000200_000, data: udp(p2)},
		{timeNs: 100_000300_000, data: udp([]byte("third"))},
	}
	return pcapLayoutFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, 24, recs)
}

// withSnaplen returns a copy of the little-endian pcap file data with
// the snapshot length n in its header.
func withSnaplen(data []byte, n uint32) []byte {
	out := append([]byte(nil), data...)
	binary.LittleEndian.PutUint32(out[16:], n)
	return out
}

// TestCapturePcapLayoutTrial checks the choice among the layouts on files
// made to be ambiguous: the standard layout is kept unless another one is
// less implausible, and three records are tried.
func TestCapturePcapLayoutTrial(t *testing.T) {
	le, eth := binary.LittleEndian, layers.LinkTypeEthernet
	recs := variantRecords(t, 30)
	std := pcapFile(pcapMagicMicro, le, eth, recs)
	// A snapshot length of 60 bytes, below the third record's 92: one
	// demerit for the standard layout, no fewer for the patched ones
	// (their second header lands in the middle of a record).
	lessBad := withSnaplen(std, 60)
	// Every layout reads the same first header, longer than a snapshot
	// length of 40: the tie goes to the standard layout.
	tie := withSnaplen(std, 40)
	for _, tc := range []struct {
		name   string
		data   []byte
		layout pcapVariant
		frames int64
	}{
		{"standard.pcap", std, pcapStandard, 5},
		{"standard-less-bad.pcap", lessBad, pcapStandard, 5},
		{"standard-tie.pcap", tie, pcapStandard, 5},
		{"ss990417-third-record.pcap", threeRecordTrial(t), pcapSS990417, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snaplen := le.Uint32(tc.data[16:])
			pk := &pcapPeeker{br: bufio.NewReader(bytes.NewReader(tc.data[24:]))}
			if got := choosePcapVariant(pk, le, snaplen, pcapVariantsStandard); got != tc.layout {
				t.Errorf("layout %s, want %s", got.name, tc.layout.name)
			}
			if tc.layout == pcapStandard {
				// Not worse as a standard file than as a Red Hat 6.1 one,
				// whose second record is implausible.
				d16, _ := pk.demerits(le, snaplen, 16)
				d24, err := pk.demerits(le, snaplen, 24)
				if d24 == 0 || d24 < d16 || err != nil {
					t.Errorf("demerits: %d with 16-byte headers, %d with 24, err %v", d16, d24, err)
				}
			}
			pkts, st, err := readCapture(t, tc.data, CaptureOptions{})
			if err != nil || st.Frames != tc.frames {
				t.Fatalf("%d frames, err %v; want %d frames", st.Frames, err, tc.frames)
			}
			tsharkAgrees(t, tc.name, tc.data, pkts, st.Frames)
		})
	}
}

// TestPcapDemerits checks what counts against a layout in the trial.
func TestPcapDemerits(t *testing.T) {
	le := binary.LittleEndian
	rec := func(usec, incl, orig uint32, data int) []byte {
		b := make([]byte, 16+data)
		le.PutUint32(b[4:], usec)
		le.PutUint32(b[8:], incl)
		le.PutUint32(b[12:], orig)
		return b
	}
	good := rec(5, 10, 10, 10)
	for _, tc := range []struct {
		name string
		data []byte
		want int
	}{
		{"no-records", nil, 0},
		{"two-good-records", append(append([]byte{}, good...), good...), 0},
		{"three-good-then-garbage", bytes.Join([][]byte{good, good, good, {0xff, 0xff}}, nil), 0},
		{"header-cut", good[:10], 1},
		{"data-cut", good[:20], 1},
		{"second-header-cut", append(append([]byte{}, good...), 1, 2, 3), 1},
		{"usec-too-large", rec(1000000, 10, 10, 10), 1},
		{"orig-too-large", rec(0, 10, 128<<20+1, 10), 1},
		{"incl-over-orig", rec(0, 10, 9, 10), 1},
		{"incl-over-snaplen", rec(0, 1000, 1000, 1000), 1},
		{"everything-wrong", rec(2000000, 1<<31, 129<<20, 0), 5},
		{"second-record-wrong", append(append([]byte{}, good...), rec(0, 20, 10, 20)...), 1},
	} {
		pk := &pcapPeeker{br: bufio.NewReader(bytes.NewReader(tc.data))}
		if got, err := pk.demerits(le, 999, 16); got != tc.want || err != nil {
			t.Errorf("%s: %d demerits, err %v; want %d", tc.name, got, err, tc.want)
		}
	}
	boom := errors.New("disk on fire")
	pk := &pcapPeeker{br: bufio.NewReader(io.MultiReader(bytes.NewReader(good[:20]), iotest.ErrReader(boom)))}
	if _, err := pk.demerits(le, 999, 16); !errors.Is(err, boom) {
		t.Errorf("read error: got %v", err)
	}
}

// TestCaptureSS990417MatchesTshark reads the real Red Hat 6.1 layout
// captures of the shared data: every frame is read and the TCP/UDP
// records are tshark's.
func TestCaptureSS990417MatchesTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed: cannot compare the Red Hat 6.1 layout captures with it")
	}
	if testing.Short() {
		t.Skip("runs tshark")
	}
	for _, rel := range []string{
		"data/apps/matousp_singletons/slack/ma1__xz1_slack.pcap",
		"data/apps/matousp/whatsapp/ma1__xz1_wa_merged.pcap",
		"data/apps/matousp_singletons/telegram/ma1__xz1_telegram_filtered.pcap",
	} {
		path := shared.Path(t, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pkts, st, err := readCapture(t, data, CaptureOptions{})
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if n := tsharkFrames(t, tshark, path); n != st.Frames {
			t.Errorf("%s: tshark reads %d frames, the reader %d", rel, n, st.Frames)
		}
		compareTshark(t, rel, tsharkRecords(t, tshark, path), pkts)
	}
}
