package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"appbench/internal/shared"
)

// tinyPcap returns a classic little-endian microsecond pcap holding n
// Ethernet/IPv4/UDP frames from 10.0.0.1:40000 to 10.0.0.2:53, one a
// second from t0 seconds, each with a payload of 4+i bytes; and the records
// a reader should give for it.
func tinyPcap(n int, t0 uint32) ([]byte, []Packet) {
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1) // Ethernet
	b.Write(hdr)
	var want []Packet
	for i := range n {
		payload := 4 + i
		ipLen := 20 + 8 + payload
		frame := make([]byte, 14+ipLen)
		binary.BigEndian.PutUint16(frame[12:], 0x0800)
		ip := frame[14:]
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(ipLen))
		ip[8] = 64
		ip[9] = 17
		copy(ip[12:], []byte{10, 0, 0, 1})
		copy(ip[16:], []byte{10, 0, 0, 2})
		var sum uint32
		for k := 0; k < 20; k += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[k:]))
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		udp := ip[20:]
		binary.BigEndian.PutUint16(udp[0:], 40000)
		binary.BigEndian.PutUint16(udp[2:], 53)
		binary.BigEndian.PutUint16(udp[4:], uint16(8+payload))
		rec := make([]byte, 16)
		le.PutUint32(rec[0:], t0+uint32(i))
		le.PutUint32(rec[4:], 250000)
		le.PutUint32(rec[8:], uint32(len(frame)))
		le.PutUint32(rec[12:], uint32(len(frame)))
		b.Write(rec)
		b.Write(frame)
		want = append(want, Packet{Frame: int64(i + 1), Time: int64(t0+uint32(i))*1e9 + 250000000, Proto: UDP, Stream: 0,
			Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"), SrcPort: 40000, DstPort: 53,
			FrameLen: len(frame), IPLen: ipLen})
	}
	return b.Bytes(), want
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSniffFormat(t *testing.T) {
	pcap, _ := tinyPcap(1, 0)
	cases := []struct {
		head string
		want Format
	}{
		{string(pcap), FormatPcap},
		{"\xd4\xc3\xb2\xa1rest", FormatPcap},
		{"\xa1\xb2\xc3\xd4rest", FormatPcap},
		{"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a", FormatPcapng},
		{",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate\n0,tcp", FormatCSV},
		{"time,protocol,source_address,destination_address,source_port,destination_port,length,stream_id\r\n", FormatCSV},
		{",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port", FormatCSV}, // header-only file without newline
		{"\ufeffprotocol,stream_id,time,length,source_address,destination_address,source_port,destination_port\n", FormatCSV},
		{`"frame.number","frame.time_epoch","tcp.stream","udp.stream","ip.src","ip.dst"` + "\n", FormatUnknown},
		{",protocol,stream_id,time,length,source_address,destination_address,source_port\n", FormatUnknown},
		{"", FormatUnknown},
		{"\x00\x01", FormatUnknown},
		{"# appbench\n", FormatUnknown},
		{strings.Repeat("x", sniffLen), FormatUnknown},
	}
	for _, c := range cases {
		if got := SniffFormat([]byte(c.head)); got != c.want {
			t.Errorf("SniffFormat(%.40q) = %v, want %v", c.head, got, c.want)
		}
	}
}

func TestOpenAndReadCapture(t *testing.T) {
	dir := t.TempDir()
	pcap, want := tinyPcap(5, 1600000000)
	csvData, err := os.ReadFile("testdata/small.packets.csv")
	if err != nil {
		t.Fatal(err)
	}
	csvWant := csvReadAll(t, "small", csvData)
	files := []struct {
		name   string
		data   []byte
		format Format
		gz     bool
		want   []Packet
	}{
		{"a.csv", pcap, FormatPcap, false, want}, // the extension plays no part
		{"b.pcap.gz", gz(t, pcap), FormatPcap, true, want},
		{"c.pcap", csvData, FormatCSV, false, csvWant},
		{"d", gz(t, csvData), FormatCSV, true, csvWant},
	}
	for _, f := range files {
		p := writeFile(t, filepath.Join(dir, f.name), f.data)
		file, err := Open(p)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if file.Format() != f.format || file.Compressed() != f.gz || file.Name() != p {
			t.Errorf("%s: format %v compressed %v name %s; want %v %v", f.name, file.Format(), file.Compressed(), file.Name(), f.format, f.gz)
		}
		_, isCapture := file.CaptureStats()
		if isCapture != (f.format != FormatCSV) {
			t.Errorf("%s: CaptureStats ok = %v", f.name, isCapture)
		}
		if err := file.Close(); err != nil {
			t.Error(err)
		}
		got, err := ReadCapture(p)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if !reflect.DeepEqual(got, f.want) {
			t.Errorf("%s: ReadCapture\n%+v\nwant\n%+v", f.name, got, f.want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, data, msg string
	}{
		{"empty.pcap", "", "empty file"},
		{"notes.txt", "hello\n", `unknown format: neither a pcap or pcapng capture nor a packet CSV with the columns protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port (first bytes "hello\n")`},
		{"bad.csv", ",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port\n0,tcp,0,x,1,1.2.3.4,1.2.3.5,1,2\n", `bad.csv:2: column "time": invalid number "x"`},
		{"trunc.gz", "\x1f\x8b\x08", "gzip"},
	}
	for _, c := range cases {
		p := writeFile(t, filepath.Join(dir, c.name), []byte(c.data))
		_, err := ReadCapture(p)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %q does not name the file and say %q", c.name, err, c.msg)
		}
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: error %q does not wrap ErrMalformed", c.name, err)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing.pcap")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestReadFileRealCaptures opens every shared capture by content and checks
// that ReadCapture's copies equal the capture reader's records.
func TestReadFileRealCaptures(t *testing.T) {
	files := append(shared.Glob(t, "data/pcaps/*/*.pcap"), shared.Glob(t, "data/pcaps/*/*.pcapng")...)
	total := 0
	for _, p := range files {
		wantFormat := FormatPcap
		if strings.HasSuffix(p, ".pcapng") && !strings.HasSuffix(p, "ja4/ipv6.pcapng") {
			wantFormat = FormatPcapng // ja4/ipv6.pcapng is a classic pcap file (magic d4 c3 b2 a1) by that name
		}
		if f, err := SniffFile(p); err != nil || f != wantFormat {
			t.Errorf("%s: SniffFile = %v, %v", p, f, err)
		}
		got, err := ReadCapture(p)
		fh, err2 := os.Open(p)
		if err2 != nil {
			t.Fatal(err2)
		}
		var direct []Packet
		cr, rerr := NewCaptureReader(fh, p, CaptureOptions{})
		if rerr == nil {
			for cr.Scan() {
				q := *cr.Packet()
				q.Cert = bytes.Clone(q.Cert)
				direct = append(direct, q)
			}
			rerr = cr.Err()
		}
		fh.Close()
		if (err == nil) != (rerr == nil) {
			t.Errorf("%s: ReadCapture error %v, reader error %v", p, err, rerr)
			continue
		}
		if err != nil {
			continue
		}
		if len(got) != len(direct) {
			t.Fatalf("%s: ReadCapture gave %d records, the reader %d", p, len(got), len(direct))
		}
		for i := range got {
			if !samePacket(&got[i], &direct[i]) {
				t.Fatalf("%s: record %d is\n%+v\nwant\n%+v", p, i, got[i], direct[i])
			}
		}
		total += len(got)
	}
	t.Logf("%d captures, %d records", len(files), total)
}

// samePacket compares records, a nil and an empty Cert being the same.
func samePacket(a, b *Packet) bool {
	x, y := *a, *b
	if !bytes.Equal(x.Cert, y.Cert) {
		return false
	}
	x.Cert, y.Cert = nil, nil
	return reflect.DeepEqual(x, y)
}
