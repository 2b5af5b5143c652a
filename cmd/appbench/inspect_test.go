package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"appbench/datasets"
	"appbench/internal/shared"
)

func TestInspectCSV(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.csv")
	csv := `,protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate,frame,frame_len,sni
0,tcp,0,100.5,60,10.0.0.1,93.184.216.34,50000,443,,1,74,example.com
1,tcp,0,101,1500,93.184.216.34,10.0.0.1,443,50000,6e6f742d612d63657274,2,1514,
2,tcp,1,99.25,60,10.0.0.1,93.184.216.34,50001,443,,3,74,example.com
3,udp,0,102,80,10.0.0.1,10.0.0.53,40000,53,,4,94,
4,udp,1,102.5,80,10.0.0.1,10.0.0.53,40001,53,,5,94,
5,udp,2,103,80,2001:db8::1,2001:db8::2,7000,7000,,6,114,
6,unknown,,104,40,10.0.0.9,10.0.0.1,80,80,,7,54,
`
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := inspectFile(context.Background(), path, datasets.CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != "csv" || s.Frames != 7 || s.Packets != 7 || s.TCP != 3 || s.UDP != 3 || s.Other != 1 {
		t.Errorf("counts: %+v", s)
	}
	if s.First != "1970-01-01T00:01:39.25Z" || s.Last != "1970-01-01T00:01:44Z" || s.DurationS != 4.75 {
		t.Errorf("time span %s .. %s, %v s", s.First, s.Last, s.DurationS)
	}
	if s.TCPStreams != 2 || s.UDPStreams != 3 {
		t.Errorf("streams TCP %d UDP %d, want 2, 3", s.TCPStreams, s.UDPStreams)
	}
	wantDest := []endpointCount{{"93.184.216.34:443", 3}, {"10.0.0.53:53", 2}, {"10.0.0.1:80", 1}, {"[2001:db8::2]:7000", 1}}
	if s.Destinations != 4 || !reflect.DeepEqual(s.TopDestinations, wantDest) {
		t.Errorf("destinations %d %v, want 4 %v", s.Destinations, s.TopDestinations, wantDest)
	}
	if len(s.Certificates) != 1 || s.Certificates[0].Packets != 1 || s.Certificates[0].ParseError == "" ||
		s.Certificates[0].SHA256 != "0177eb2e63e560af1e3d0c4749b8d2ab7d7ca316289cdc90b6569dea0235eb2a" {
		t.Errorf("certificates %+v", s.Certificates)
	}
	if !reflect.DeepEqual(s.SNI, []nameCount{{"example.com", 2}}) {
		t.Errorf("SNI %v", s.SNI)
	}
	var buf bytes.Buffer
	if err := printSummaries(&buf, []fileSummary{s}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"format        csv", "packets       7 (TCP 3, UDP 3, other 1)", "93.184.216.34:443", "(not X.509:", "example.com"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report does not contain %q:\n%s", want, buf.String())
		}
	}
}

// TestInspectCertificates compares the certificate serial numbers that
// inspect finds in each shared capture with those of the FlowPrint
// reference output for the capture.
func TestInspectCertificates(t *testing.T) {
	files := shared.Glob(t, "golden/flowprint/ja4/*.fingerprints.json")
	serial := regexp.MustCompile(`[0-9]+`)
	checked := 0
	for _, fp := range files {
		name := strings.TrimSuffix(filepath.Base(fp), ".fingerprints.json")
		if name == "ALL" {
			continue
		}
		data, err := os.ReadFile(fp)
		if err != nil {
			t.Fatal(err)
		}
		// The reference's certificate lists hold big integers: take them
		// from the text, not through float64.
		var want []string
		for _, m := range regexp.MustCompile(`"certificates": \[([0-9, ]*)\]`).FindAllStringSubmatch(string(data), -1) {
			want = append(want, serial.FindAllString(m[1], -1)...)
		}
		if len(want) == 0 {
			continue
		}
		s, err := inspectFile(context.Background(), shared.Path(t, "data/pcaps/ja4/"+name), datasets.CaptureOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, c := range s.Certificates {
			if c.Serial != "" {
				got = append(got, c.Serial)
			}
		}
		want = uniqueSorted(want)
		got = uniqueSorted(got)
		// FlowPrint keeps one certificate per flow; every serial it found
		// must be among those of the capture.
		for _, w := range want {
			if i := sort.SearchStrings(got, w); i == len(got) || got[i] != w {
				t.Errorf("%s: serial %s of the reference not found (inspect found %v)", name, w, got)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no reference capture with certificates")
	}
	t.Logf("%d captures with certificates checked", checked)
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func TestInspectJSONAndErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port\ntcp,0,1,60,10.0.0.1,10.0.0.2,1000,443\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := executeErr(t, "inspect", "--json", good, bad)
	if err == nil || err.Error() != "inspect: 1 of 2 files could not be read" {
		t.Errorf("error %v", err)
	}
	var sums []fileSummary
	if err := json.Unmarshal([]byte(out), &sums); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(sums) != 2 || sums[0].Packets != 1 || sums[0].Error != "" || !strings.Contains(sums[1].Error, "bad.txt: unknown format") {
		t.Errorf("summaries %+v", sums)
	}
}
