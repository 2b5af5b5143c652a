package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"appbench/datasets"
	"appbench/internal/shared"
)

// readCSVFile reads a packet CSV with the CSV reader (not Open, so that
// the file must really be CSV).
func readCSVFile(t *testing.T, path string) []datasets.Packet {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return readCSVBytes(t, path, data)
}

func readCSVBytes(t *testing.T, name string, data []byte) []datasets.Packet {
	t.Helper()
	r, err := datasets.NewCSVReader(bytes.NewReader(data), name)
	if err != nil {
		t.Fatal(err)
	}
	var out []datasets.Packet
	for r.Scan() {
		p := *r.Packet()
		p.Cert = bytes.Clone(p.Cert)
		out = append(out, p)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func equalPackets(a, b datasets.Packet) bool {
	if !bytes.Equal(a.Cert, b.Cert) {
		return false
	}
	a.Cert, b.Cert = nil, nil
	return reflect.DeepEqual(a, b)
}

// TestConvertRealCaptures converts every shared capture and checks that the
// CSV rows equal the capture reader's records: all fields with --extended,
// the MAppGraph columns without.
func TestConvertRealCaptures(t *testing.T) {
	files := append(shared.Glob(t, "data/pcaps/*/*.pcap"), shared.Glob(t, "data/pcaps/*/*.pcapng")...)
	dir := t.TempDir()
	ctx := context.Background()
	rows, certs, converted := 0, 0, 0
	for _, in := range files {
		want, err := datasets.ReadCapture(in)
		if err != nil {
			// A capture the reader rejects must fail to convert too, and
			// leave nothing behind.
			out := filepath.Join(dir, "failed.csv")
			if _, _, cerr := convertFile(ctx, in, convertOptions{out: out}, nil); cerr == nil {
				t.Errorf("%s: converted although ReadCapture fails with %v", in, err)
			}
			continue
		}
		converted++
		out := filepath.Join(dir, filepath.Base(in)+".csv")
		n, _, err := convertFile(ctx, in, convertOptions{out: out, extended: true}, nil)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got := readCSVFile(t, out)
		if int(n) != len(want) || len(got) != len(want) {
			t.Fatalf("%s: %d rows (%d reported), the reader gives %d records", in, len(got), n, len(want))
		}
		for i := range want {
			if !equalPackets(got[i], want[i]) {
				t.Fatalf("%s: row %d is\n%+v\nthe reader gives\n%+v", in, i, got[i], want[i])
			}
			if want[i].Cert != nil {
				certs++
			}
		}
		rows += len(got)

		// The plain MAppGraph columns, to standard output.
		var buf bytes.Buffer
		if _, _, err := convertFile(ctx, in, convertOptions{out: "-"}, &buf); err != nil {
			t.Fatal(err)
		}
		got = readCSVBytes(t, "stdout", buf.Bytes())
		for i := range want {
			w := want[i]
			w.Frame, w.SNI, w.FrameLen = 0, "", w.IPLen
			if !equalPackets(got[i], w) {
				t.Fatalf("%s: plain row %d is\n%+v\nwant\n%+v", in, i, got[i], w)
			}
		}
	}
	if certs == 0 {
		t.Error("no certificate in any converted capture")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
	t.Logf("%d of %d captures converted, %d rows, %d with a certificate", converted, len(files), rows, certs)
}

// TestConvertCSVAtomic converts a CSV with an error on its third row: the
// previous output file stays as it was and no temporary file remains.
func TestConvertCSVAtomic(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	const header = ",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate\n"
	good := header + "0,udp,0,10.5,60,10.0.0.1,10.0.0.2,5000,53,\n1,tcp,,11.0,40,2001:db8::1,2001:db8::2,443,50000,3082\n"
	if err := os.WriteFile(in, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	if _, _, err := convertFile(context.Background(), in, convertOptions{out: out}, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != good {
		t.Fatalf("converting our own format changed it:\n%s\nwant\n%s", data, good)
	}
	if err := os.WriteFile(in, []byte(good+"2,tcp,0,12,40,10.0.0.1,10.0.0.2,1,bad,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = convertFile(context.Background(), in, convertOptions{out: out}, nil)
	if err == nil || !strings.Contains(err.Error(), `in.csv:4: column "destination_port": invalid port "bad"`) {
		t.Fatalf("error %v", err)
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(again, data) {
		t.Error("a failed conversion changed the existing output")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left in the output folder: %v", entries)
	}
}

// knownRealChunkDiffs are the reference chunks whose rows differ from the
// capture reader's records by a documented choice of the reader.
var knownRealChunkDiffs = map[string]string{
	"afs.pcap":             "the reader does not reassemble IP fragments (tshark does) and skips ICMP errors quoting UDP headers",
	"ipoib.pcap":           "IP over InfiniBand link type, not decoded by the reader",
	"of13_ericsson.pcapng": "4 OpenFlow messages carry an inner IP packet; tshark's rows for them are multi-valued and the reference chunk leaves them out",
}

// TestConvertMatchesGoldenRealChunks converts the shared captures behind
// the reference's "real" MAppGraph chunks with --frame-length (those chunks
// hold the frame length) and compares the IPv4 rows with the chunk files:
// the same rows, fields and order, times equal as float64.
func TestConvertMatchesGoldenRealChunks(t *testing.T) {
	chunks := shared.Glob(t, "golden/mappgraph/chunks/real/*.csv")
	dir := t.TempDir()
	rows := 0
	for _, chunk := range chunks {
		base := strings.TrimSuffix(filepath.Base(chunk), ".csv")
		i := strings.LastIndexByte(base, '_')
		capName := base[:i] + "." + base[i+1:]
		caps, _ := filepath.Glob(filepath.Join(shared.Path(t, "data/pcaps"), "*", capName))
		if len(caps) != 1 {
			t.Fatalf("%s: %d captures named %s", chunk, len(caps), capName)
		}
		out := filepath.Join(dir, base+".csv")
		if _, _, err := convertFile(context.Background(), caps[0], convertOptions{out: out, frameLength: true}, nil); err != nil {
			t.Fatal(err)
		}
		var got []datasets.Packet
		for _, p := range readCSVFile(t, out) {
			if p.Src.Is4() && p.Dst.Is4() {
				got = append(got, p)
			}
		}
		want := readCSVFile(t, chunk)
		if why, ok := knownRealChunkDiffs[capName]; ok {
			t.Logf("%s: %d IPv4 rows, the reference chunk %d: not compared: %s", capName, len(got), len(want), why)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d IPv4 rows, the reference chunk has %d", capName, len(got), len(want))
			continue
		}
		for k := range want {
			g, w := got[k], want[k]
			if datasets.ExactSeconds(g.Time) == datasets.ExactSeconds(w.Time) {
				g.Time = w.Time // the reference wrote a float64's repr
			}
			g.Cert = nil // the reference chunks leave the column empty
			if !equalPackets(g, w) {
				t.Errorf("%s: row %d is\n%+v\nthe reference has\n%+v", capName, k, g, w)
				break
			}
		}
		rows += len(want)
	}
	t.Logf("%d reference chunks, %d rows", len(chunks), rows)
}

// TestConvertCommand runs the command line: a missing -o is an error, and
// a conversion reports what it wrote.
func TestConvertCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.data")
	const data = "protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port\nudp,0,2.5,60,10.0.0.1,10.0.0.2,5000,53\n"
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := executeErr(t, "convert", in); err == nil || !strings.Contains(err.Error(), "the output file is required") {
		t.Errorf("without -o: %v", err)
	}
	out := filepath.Join(dir, "out.csv")
	_, stderr, err := executeErr(t, "convert", in, "-o", out, "--extended")
	if err != nil {
		t.Fatal(err)
	}
	if want := "converted " + in + " (csv): 1 packets to " + out + "\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	const want = ",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate,frame,frame_len,sni\n" +
		"0,udp,0,2.5,60,10.0.0.1,10.0.0.2,5000,53,,,60,\n"
	if string(got) != want {
		t.Errorf("output\n%s\nwant\n%s", got, want)
	}
}

// TestConvertOutputKinds converts to each kind of output path: a symbolic
// link (its target is replaced, the link kept), /dev/null (it stays a
// device), a FIFO (streamed to its reader) and "-" (standard output).
func TestConvertOutputKinds(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	const data = ",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate\n" +
		"0,udp,0,2.5,60,10.0.0.1,10.0.0.2,5000,53,\n"
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	convert := func(out string) string {
		t.Helper()
		var stdout bytes.Buffer
		if _, _, err := convertFile(context.Background(), in, convertOptions{out: out}, &stdout); err != nil {
			t.Fatalf("-o %s: %v", out, err)
		}
		return stdout.String()
	}
	if got := convert("-"); got != data {
		t.Errorf("-o - wrote %q", got)
	}

	target := filepath.Join(dir, "target.csv")
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink("target.csv", link); err != nil {
		t.Fatal(err)
	}
	convert(link)
	if got, err := os.ReadFile(target); err != nil || string(got) != data {
		t.Errorf("link target holds %q, %v", got, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link", link)
	}

	convert(os.DevNull)
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a device", os.DevNull)
	}

	fifo := filepath.Join(dir, "pipe")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs:", err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	convert(fifo)
	if s := <-got; s != data {
		t.Errorf("FIFO reader got %q", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a FIFO", fifo)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 4 {
		t.Errorf("folder holds %d files, want in.csv, link.csv, target.csv, pipe", len(ents))
	}
}
