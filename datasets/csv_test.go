package datasets

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"appbench/internal/shared"
)

func TestParseSecondsNS(t *testing.T) {
	ok := []struct {
		in   string
		want int64
	}{
		{"1516186786.703072", 1516186786703072000},
		{"1600896590.0", 1600896590000000000},
		{"1600896590", 1600896590000000000},
		{"0.0", 0},
		{"-0.0", 0},
		{".5", 500000000},
		{"5.", 5000000000},
		{"+2.25", 2250000000},
		{"-0.5", -500000000},
		{"1.5e9", 1500000000000000000},
		{"1.5E+9", 1500000000000000000},
		{"1e-9", 1},
		{"4e-10", 0},
		{"5e-10", 1},
		{"-5e-10", -1},
		{"0.0000000015", 2},
		{"0.0000000014999", 1},
		{"1516186786.7030720004", 1516186786703072000},
		{"1516186786.7030720005", 1516186786703072001},
		{"1516186786.703072000999", 1516186786703072001},
		{"00001.000000001000", 1000000001},
		{"123456789012e-3", 123456789012000000},
		{"0e999999999", 0},
		{"9223372036.854775807", math.MaxInt64},
		{"-9223372036.854775808", math.MinInt64},
		{"1e-99999999", 0},
	}
	for _, c := range ok {
		got, err := ParseSecondsNS(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSecondsNS(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	bad := []string{"", "abc", "-", ".", "1.2.3", "nan", "NaN", "inf", "-Inf", "1e", "1e+", "0x10",
		"1e400", "9223372036.854775808", "-9223372036.854775809", "9223372037", "1 ", " 1", "1,5", "١"}
	for _, s := range bad {
		if got, err := ParseSecondsNS(s); err == nil {
			t.Errorf("ParseSecondsNS(%q) = %d, want an error", s, got)
		}
	}
}

func TestAppendSeconds(t *testing.T) {
	cases := []struct {
		ns   int64
		want string
	}{
		{0, "0.0"},
		{1, "0.000000001"},
		{-1, "-0.000000001"},
		{1516186786703072000, "1516186786.703072"},
		{1600896590000000000, "1600896590.0"},
		{12500000000, "12.5"},
		{-500000000, "-0.5"},
		{math.MaxInt64, "9223372036.854775807"},
		{math.MinInt64, "-9223372036.854775808"},
	}
	for _, c := range cases {
		if got := string(AppendSeconds(nil, c.ns)); got != c.want {
			t.Errorf("AppendSeconds(%d) = %q, want %q", c.ns, got, c.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		ns := int64(r.Uint64())
		s := string(AppendSeconds(nil, ns))
		back, err := ParseSecondsNS(s)
		if err != nil || back != ns {
			t.Fatalf("round trip of %d via %q gave %d, %v", ns, s, back, err)
		}
	}
}

// TestExactSeconds checks ExactSeconds against strconv.ParseFloat of the
// decimal text, which rounds correctly.
func TestExactSeconds(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(ns int64) {
		want, err := strconv.ParseFloat(string(AppendSeconds(nil, ns)), 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := ExactSeconds(ns); got != want {
			t.Fatalf("ExactSeconds(%d) = %v, want %v", ns, got, want)
		}
	}
	mismatchNaive := 0
	for range 200000 {
		// present-day timestamps, with microsecond and nanosecond precision
		ns := 1_400_000_000_000_000_000 + r.Int64N(400_000_000_000_000_000)
		check(ns)
		check(ns / 1000 * 1000)
		check(-ns)
		check(r.Int64N(1 << 54))
		check(int64(r.Uint64()))
		p := Packet{Time: ns}
		if p.Seconds() != ExactSeconds(ns) {
			mismatchNaive++
		}
	}
	for _, ns := range []int64{1<<53 - 1, 1 << 53, 1<<53 + 1, -1 << 53, math.MaxInt64, math.MinInt64, 999999999, 1e9} {
		check(ns)
	}
	t.Logf("Packet.Seconds differs from the correctly rounded value for %d of 200000 random timestamps", mismatchNaive)
}

func csvReadAll(t *testing.T, name string, data []byte) []Packet {
	t.Helper()
	r, err := NewCSVReader(bytes.NewReader(data), name)
	if err != nil {
		t.Fatal(err)
	}
	var out []Packet
	for r.Scan() {
		p := *r.Packet()
		p.Cert = append([]byte(nil), p.Cert...)
		if len(p.Cert) == 0 {
			p.Cert = nil
		}
		out = append(out, p)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func csvWriteAll(t testing.TB, pkts []Packet, extended bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	w.Extended = extended
	for i := range pkts {
		if err := w.Write(&pkts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSVReadSmall(t *testing.T) {
	data, err := os.ReadFile("testdata/small.packets.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := csvReadAll(t, "small.packets.csv", data)
	want := []Packet{
		{Time: 1600000000500000000, Proto: TCP, Stream: 0, Src: netip.MustParseAddr("10.0.0.2"), Dst: netip.MustParseAddr("93.184.216.34"),
			SrcPort: 51000, DstPort: 443, FrameLen: 60, IPLen: 60},
		{Time: 1600000000512345000, Proto: TCP, Stream: 0, Src: netip.MustParseAddr("93.184.216.34"), Dst: netip.MustParseAddr("10.0.0.2"),
			SrcPort: 443, DstPort: 51000, FrameLen: 1500, IPLen: 1500,
			Cert: []byte{0x30, 0x82, 0x01, 0xaa, 0x30, 0x82, 0x01, 0x13, 0xa0, 0x03, 0x02, 0x01, 0x02}},
		{Time: 1600000001000000001, Proto: UDP, Stream: 3, Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::53"),
			SrcPort: 5353, DstPort: 53, FrameLen: 80, IPLen: 80},
		{Time: 1600000002000000000, Proto: UnknownProto, Stream: -1, Src: netip.MustParseAddr("10.0.0.2"), Dst: netip.MustParseAddr("10.0.0.1"),
			FrameLen: 40, IPLen: 40, Cert: []byte("not-hex")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read\n%+v\nwant\n%+v", got, want)
	}
}

func TestCSVReadWithoutIndexColumn(t *testing.T) {
	data, err := os.ReadFile("testdata/noindex.packets.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := csvReadAll(t, "noindex.packets.csv", data)
	want := []Packet{
		{Time: 1250000000, Proto: UDP, Stream: 0, Src: netip.MustParseAddr("192.168.1.10"), Dst: netip.MustParseAddr("8.8.8.8"),
			SrcPort: 40000, DstPort: 53, FrameLen: 72, IPLen: 72},
		{Time: 1500000000, Proto: UDP, Stream: 0, Src: netip.MustParseAddr("8.8.8.8"), Dst: netip.MustParseAddr("192.168.1.10"),
			SrcPort: 53, DstPort: 40000, FrameLen: 120, IPLen: 120},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read\n%+v\nwant\n%+v", got, want)
	}
}

func TestCSVReadExtended(t *testing.T) {
	data, err := os.ReadFile("testdata/extended.packets.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := csvReadAll(t, "extended.packets.csv", data)
	if len(got) != 3 {
		t.Fatalf("%d records, want 3", len(got))
	}
	if got[0].Frame != 12 || got[0].SNI != "example.com" || got[1].Frame != 13 || got[2].SNI != `a,b "quoted"` {
		t.Errorf("frame/sni columns read as %d %q, %d %q, %q", got[0].Frame, got[0].SNI, got[1].Frame, got[1].SNI, got[2].SNI)
	}
	if !bytes.Equal(got[1].Cert, []byte{0x30, 0x82, 0x01, 0x0a}) {
		t.Errorf("colon-separated hex certificate read as %x", got[1].Cert)
	}
	// Written back extended, the file reads to the same records.
	if again := csvReadAll(t, "again", csvWriteAll(t, got, true)); !reflect.DeepEqual(again, got) {
		t.Errorf("extended round trip:\n%+v\nwant\n%+v", again, got)
	}
}

func TestCSVRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	addrs := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("255.255.255.255"),
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::ffff:1.2.3.4"), netip.MustParseAddr("fe80::1%eth0"), {}}
	protos := []Protocol{TCP, UDP, UnknownProto}
	var pkts []Packet
	for i := range 2000 {
		p := Packet{
			Frame:    int64(i + 1),
			Time:     int64(r.Uint64()),
			Proto:    protos[r.IntN(3)],
			Stream:   r.Int64N(100) - 1,
			Src:      addrs[r.IntN(len(addrs))],
			Dst:      addrs[r.IntN(len(addrs))],
			SrcPort:  uint16(r.Uint32()),
			DstPort:  uint16(r.Uint32()),
			FrameLen: 20 + r.IntN(70000),
		}
		p.IPLen = p.FrameLen - r.IntN(20)
		switch r.IntN(4) {
		case 0:
			p.Cert = make([]byte, 1+r.IntN(40))
			for k := range p.Cert {
				p.Cert[k] = byte(r.Uint32())
			}
		case 1:
			p.SNI = []string{"example.com", "a,b", `q"uote`, " lead", "x\ny"}[r.IntN(5)]
		}
		pkts = append(pkts, p)
	}
	got := csvReadAll(t, "roundtrip", csvWriteAll(t, pkts, true))
	if !reflect.DeepEqual(got, pkts) {
		for i := range got {
			if !reflect.DeepEqual(got[i], pkts[i]) {
				t.Fatalf("extended round trip: record %d is\n%+v\nwant\n%+v", i, got[i], pkts[i])
			}
		}
		t.Fatalf("extended round trip: %d records, want %d", len(got), len(pkts))
	}
	// The MAppGraph columns alone keep everything but Frame, FrameLen and SNI.
	got = csvReadAll(t, "roundtrip", csvWriteAll(t, pkts, false))
	for i := range pkts {
		want := pkts[i]
		want.Frame, want.SNI, want.FrameLen = 0, "", want.IPLen
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("round trip: record %d is\n%+v\nwant\n%+v", i, got[i], want)
		}
	}
}

func TestCSVWriteFrameLength(t *testing.T) {
	p := Packet{Time: 1500000000, Proto: TCP, Stream: 2, Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"),
		SrcPort: 1, DstPort: 2, FrameLen: 74, IPLen: 60, Frame: 9, SNI: "x"}
	for _, c := range []struct {
		frameLength, extended bool
		want                  string
	}{
		{false, false, "0,tcp,2,1.5,60,10.0.0.1,10.0.0.2,1,2,\n"},
		{true, false, "0,tcp,2,1.5,74,10.0.0.1,10.0.0.2,1,2,\n"},
		{false, true, "0,tcp,2,1.5,60,10.0.0.1,10.0.0.2,1,2,,9,74,x\n"},
	} {
		var buf bytes.Buffer
		w := NewCSVWriter(&buf)
		w.FrameLength, w.Extended = c.frameLength, c.extended
		if err := w.Write(&p); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		_, row, _ := strings.Cut(buf.String(), "\n")
		if row != c.want {
			t.Errorf("FrameLength %v Extended %v: row %q, want %q", c.frameLength, c.extended, row, c.want)
		}
	}
}

func TestCSVWriteEmpty(t *testing.T) {
	out := csvWriteAll(t, nil, false)
	want := ",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate\n"
	if string(out) != want {
		t.Fatalf("empty file is %q, want %q", out, want)
	}
	if got := csvReadAll(t, "empty", out); len(got) != 0 {
		t.Fatalf("header-only file gave %d records", len(got))
	}
}

func TestCSVErrors(t *testing.T) {
	const header = ",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate\n"
	const good = "0,tcp,0,1.5,60,10.0.0.1,10.0.0.2,1000,443,\n"
	cases := []struct {
		data, msg string
		line      int
		column    string
	}{
		{"", `datasets: x.csv:1: empty file: no header row`, 1, ""},
		{",protocol,stream_id,length,source_address,destination_address,source_port,destination_port\n",
			`datasets: x.csv:1: not a packet CSV: missing column "time" in header ",protocol,stream_id,length,source_address,destination_address,source_port,destination_port"`, 1, ""},
		{"a,b\n1,2\n", `datasets: x.csv:1: not a packet CSV: missing column "protocol", "stream_id", "time", "length", "source_address", "destination_address", "source_port", "destination_port" in header "a,b"`, 1, ""},
		{",time,protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port\n",
			`datasets: x.csv:1: column "time": column appears twice in the header`, 1, "time"},
		{header + good + "1,tcp,0,abc,60,10.0.0.1,10.0.0.2,1000,443,\n", `datasets: x.csv:3: column "time": invalid number "abc": no digits`, 3, "time"},
		{header + good + good + "2,tcp,0,1.5,6x0,10.0.0.1,10.0.0.2,1000,443,\n", `datasets: x.csv:4: column "length": invalid number "6x0"`, 4, "length"},
		{header + "0,tcp,0,1.5,60,10.0.0.300,10.0.0.2,1000,443,\n", `datasets: x.csv:2: column "source_address": invalid address "10.0.0.300"`, 2, "source_address"},
		{header + "0,tcp,0,1.5,60,10.0.0.1,\"10.0.0.2,10.0.0.3\",1000,443,\n", `datasets: x.csv:2: column "destination_address": invalid address "10.0.0.2,10.0.0.3"`, 2, "destination_address"},
		{header + "0,tcp,0,1.5,60,10.0.0.1,10.0.0.2,70000,443,\n", `datasets: x.csv:2: column "source_port": invalid port "70000"`, 2, "source_port"},
		{header + "0,tcp,0,1.5,60,10.0.0.1,10.0.0.2,1000,,\n", `datasets: x.csv:2: column "destination_port": invalid port ""`, 2, "destination_port"},
		{header + "0,tcp,1.5,1.5,60,10.0.0.1,10.0.0.2,1000,443,\n", `datasets: x.csv:2: column "stream_id": invalid stream index "1.5"`, 2, "stream_id"},
		{header + "0,tcp,0,1.5,60,10.0.0.1,10.0.0.2,1000,443\n", `datasets: x.csv:2: wrong number of fields`, 2, ""},
		{header + good + "1,tcp,0,1.5,60,10.0.0.1,10.0.0.2,1000,443,\"ab\n", `datasets: x.csv:3: byte 47 of the line: extraneous or missing " in quoted-field`, 3, ""},
	}
	for _, c := range cases {
		var err error
		r, err := NewCSVReader(strings.NewReader(c.data), "x.csv")
		if err == nil {
			for r.Scan() {
			}
			err = r.Err()
		}
		if err == nil {
			t.Errorf("%q: no error", c.data)
			continue
		}
		if err.Error() != c.msg {
			t.Errorf("error %q\nwant  %q", err, c.msg)
		}
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: error does not wrap ErrMalformed", c.msg)
		}
		var ce *CSVError
		if !errors.As(err, &ce) || ce.Line != c.line || ce.Column != c.column || ce.File != "x.csv" {
			t.Errorf("%q: CSVError %+v, want line %d column %q", c.msg, ce, c.line, c.column)
		}
	}
}

// TestCSVGoldenChunks reads every chunk of the MAppGraph reference data and
// checks each record against the text of its row, then writes the records
// back and expects the very same bytes: the writer reproduces pandas'
// formatting of these files.
func TestCSVGoldenChunks(t *testing.T) {
	files := shared.Glob(t, "golden/mappgraph/chunks/*/*.csv")
	if len(files) < 50 {
		t.Fatalf("only %d golden chunk files", len(files))
	}
	rows := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		pkts := csvReadAll(t, name, data)
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if len(lines)-1 != len(pkts) {
			t.Fatalf("%s: %d records for %d rows", name, len(pkts), len(lines)-1)
		}
		for i, line := range lines[1:] {
			fs := strings.Split(line, ",")
			p := &pkts[i]
			sec, _ := strconv.ParseFloat(fs[3], 64)
			if fs[0] != strconv.Itoa(i) || fs[1] != p.Proto.String() || fs[2] != strconv.FormatInt(p.Stream, 10) ||
				fs[3] != string(AppendSeconds(nil, p.Time)) || sec != ExactSeconds(p.Time) ||
				fs[4] != strconv.Itoa(p.IPLen) || p.FrameLen != p.IPLen ||
				fs[5] != p.Src.String() || fs[6] != p.Dst.String() ||
				fs[7] != strconv.Itoa(int(p.SrcPort)) || fs[8] != strconv.Itoa(int(p.DstPort)) || fs[9] != "" || p.Cert != nil {
				t.Fatalf("%s:%d: row %q read as %+v", name, i+2, line, *p)
			}
		}
		if out := csvWriteAll(t, pkts, false); !bytes.Equal(out, data) {
			t.Fatalf("%s: writing the records back does not give the same bytes", name)
		}
		rows += len(pkts)
	}
	t.Logf("%d golden chunk files, %d rows", len(files), rows)
}

func BenchmarkCSVReader(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	pkts := make([]Packet, 10000)
	t0 := int64(1_600_000_000_000_000_000)
	for i := range pkts {
		t0 += r.Int64N(10_000_000)
		pkts[i] = Packet{Time: t0 / 1000 * 1000, Proto: TCP, Stream: int64(i / 50), Src: netip.MustParseAddr("192.168.1.157"),
			Dst: netip.AddrFrom4([4]byte{byte(r.IntN(256)), 10, 20, 30}), SrcPort: 40000, DstPort: 443, IPLen: r.IntN(1500)}
	}
	data := csvWriteAll(b, pkts, false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cr, err := NewCSVReader(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for cr.Scan() {
			n++
		}
		if cr.Err() != nil || n != len(pkts) {
			b.Fatal(cr.Err(), n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pkts)), "ns/row")
}

func BenchmarkCSVWriter(b *testing.B) {
	pkts := make([]Packet, 10000)
	for i := range pkts {
		pkts[i] = Packet{Time: 1_600_000_000_123_456_000 + int64(i)*1000, Proto: UDP, Stream: int64(i / 50), Src: netip.MustParseAddr("192.168.1.157"),
			Dst: netip.MustParseAddr("8.8.8.8"), SrcPort: 40000, DstPort: 53, IPLen: 100}
	}
	b.ReportAllocs()
	for b.Loop() {
		w := NewCSVWriter(discardWriter{})
		for i := range pkts {
			if err := w.Write(&pkts[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pkts)), "ns/row")
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
