package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"appbench/flowprint"
	"appbench/internal/shared"
)

func TestFlowprintArgs(t *testing.T) {
	a, err := parseFlowprintArgs([]string{"-p", "a.pcap", "b.pcap", "--fingerprint", "fp.json", "-b", "60", "-i", "0.5", "-a", "7"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.pcaps) != 2 || a.fingerprint != "fp.json" || a.params.Batch != 60 || !a.batchGiven || a.split != 0.5 || a.random != 7 {
		t.Errorf("parsed %+v", a)
	}
	a, err = parseFlowprintArgs([]string{"--fingerprint", "-r", "x.gz"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.fingerprintSet || a.fingerprint != "" || len(a.read) != 1 {
		t.Errorf("--fingerprint without value: %+v", a)
	}
	for _, bad := range [][]string{
		{"--recognition", "--detection", "0.1"},
		{"-b"},
		{"-b", "x"},
		{"-p"},
		{"stray"},
		{"--nope"},
	} {
		if _, err := parseFlowprintArgs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestFlowprintCommand runs recognition and detection on the reference's
// split and compares the printed reports byte for byte; then fingerprints
// a capture, writes flows, and reads them back.
func TestFlowprintCommand(t *testing.T) {
	dir := shared.Path(t, "golden/flowprint/ja4-split")
	train, test := filepath.Join(dir, "fp.train.json"), filepath.Join(dir, "fp.test.json")
	for mode, args := range map[string][]string{
		"recognition.txt": {"-t", train, "-e", test, "--recognition"},
		"detection.txt":   {"-t", train, "-e", test, "--detection", "0.1"},
	} {
		var out, errOut bytes.Buffer
		if err := runFlowprint(&out, &errOut, args); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		want, err := os.ReadFile(filepath.Join(dir, mode))
		if err != nil {
			t.Fatal(err)
		}
		if out.String() != string(want) {
			t.Errorf("%s differs:\n%s", mode, out.String())
		}
	}

	capture := shared.Path(t, "data/pcaps/ja4/tls-handshake.pcapng")
	golden := shared.Path(t, "golden/flowprint/ja4/tls-handshake.pcapng.fingerprints.json")
	tmp := t.TempDir()
	// The reference labels flows with the path given; run from the
	// capture's folder so that the label is the file name.
	wd, _ := os.Getwd()
	if err := os.Chdir(filepath.Dir(capture)); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	fpFile, flowFile := filepath.Join(tmp, "fp.json"), filepath.Join(tmp, "flows.jsonl.gz")
	var out, errOut bytes.Buffer
	if err := runFlowprint(&out, &errOut, []string{"-p", filepath.Base(capture), "-o", flowFile, "--fingerprint", fpFile}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(fpFile)
	want, _ := os.ReadFile(golden)
	if string(got) != string(want) {
		t.Errorf("fingerprint file differs from the reference's:\n got %.300s\nwant %.300s", got, want)
	}
	// Reading the written flows back gives the same fingerprints.
	out.Reset()
	if err := runFlowprint(&out, &errOut, []string{"-r", flowFile, "--fingerprint", fpFile}); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(fpFile)
	if string(got) != string(want) {
		t.Errorf("fingerprints from --read differ from the reference's")
	}
	// Split: two files with .train/.test inserted.
	out.Reset()
	if err := runFlowprint(&out, &errOut, []string{"-r", flowFile, "-l", "0.5", "--fingerprint", fpFile}); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"fp.train.json", "fp.test.json"} {
		p := filepath.Join(tmp, part)
		if _, err := flowprint.LoadTestJSON(p); err != nil {
			t.Errorf("%s: %v", part, err)
		}
		if !strings.Contains(out.String(), p) {
			t.Errorf("output does not mention %s: %s", p, out.String())
		}
	}
	// Terminal output.
	out.Reset()
	if err := runFlowprint(&out, &errOut, []string{"-r", flowFile}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Output fingerprints:\ntls-handshake.pcapng:\n    Fingerprint [size=") {
		t.Errorf("terminal output:\n%s", out.String())
	}
}

// writeTinyCSV writes a one-packet packet CSV that FlowPrint reads.
func writeTinyCSV(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "tiny.csv")
	const data = "protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port\n" +
		"tcp,0,1.5,60,10.0.0.1,10.0.0.2,50000,443\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFlowprintArgErrors prints an argument error as argparse does: the
// usage line and the error, not the whole help, and exit status 2.
func TestFlowprintArgErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--nope"},
		{"-b", "x", "-p", "a.pcap"},
		{"--recognition", "--detection", "0.1"},
		{},
		{"--recognition", "-t", "a.json"},
		{"-b", "-5", "-p", "a.pcap"},
	} {
		var out, errOut bytes.Buffer
		err := runFlowprint(&out, &errOut, args)
		lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
		if len(lines) != 2 || lines[0] != flowprintShortUsage || !strings.HasPrefix(lines[1], "appbench flowprint: error: ") {
			t.Errorf("%q: stderr\n%s", args, errOut.String())
		}
		var main bytes.Buffer
		if code := exitStatus(&main, err); code != 2 || main.Len() != 0 {
			t.Errorf("%q: exit status %d, printed %q; want 2 and nothing more", args, code, main.String())
		}
	}
}

// TestFlowprintNoInput fails when no capture could be read, and keeps the
// original's skip-and-warn when another capture was read.
func TestFlowprintNoInput(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pcap")
	var out, errOut bytes.Buffer
	err := runFlowprint(&out, &errOut, []string{"-p", missing})
	if err == nil || !strings.Contains(err.Error(), "no input could be read") {
		t.Fatalf("error %v, want one saying no input could be read", err)
	}
	if !strings.Contains(errOut.String(), "Reading "+missing+" failed") {
		t.Errorf("stderr %q does not name the failed capture", errOut.String())
	}
	if code := exitStatus(&bytes.Buffer{}, err); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	errOut.Reset()
	if err := runFlowprint(&out, &errOut, []string{"-p", missing, writeTinyCSV(t, dir)}); err != nil {
		t.Fatalf("one good capture of two: %v", err)
	}
	if !strings.Contains(errOut.String(), "Reading "+missing+" failed") {
		t.Errorf("stderr %q does not name the failed capture", errOut.String())
	}
}

// TestFlowprintOutputKinds writes fingerprints to standard output ("-")
// and flows through a symbolic link, whose target is replaced.
func TestFlowprintOutputKinds(t *testing.T) {
	dir := t.TempDir()
	in := writeTinyCSV(t, dir)
	link := filepath.Join(dir, "flows.jsonl.gz")
	if err := os.Symlink("target.gz", link); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := runFlowprint(&out, &errOut, []string{"-p", in, "-o", link, "--fingerprint", "-"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "{") || strings.Contains(out.String(), "saved to") {
		t.Errorf("--fingerprint - printed %q, want the JSON", out.String())
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a link", link)
	}
	if _, err := flowprint.LoadFlows(filepath.Join(dir, "target.gz")); err != nil {
		t.Errorf("link target: %v", err)
	}
	if err := runFlowprint(&out, &errOut, []string{"-p", in, "--fingerprint", os.DevNull}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a device", os.DevNull)
	}
}
