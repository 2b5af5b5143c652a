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
