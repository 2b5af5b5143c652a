package flowprint

import (
	"bytes"
	"compress/gzip"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestFlowFileRoundTrip(t *testing.T) {
	flows := []Flow{
		flowAt(3, "1.2.3.4", 443, "123456789012345678901234567890", 1.25, 1.5),
		flowAt(4, "2001:db8::1", 53, "", 1700000000.123456789),
	}
	flows[0].Lengths = []int{60, -1500}
	var buf bytes.Buffer
	if err := WriteFlows(&buf, flows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFlows(bytes.NewReader(buf.Bytes()), "x.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, flows) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, flows)
	}
}

func TestFlowFileErrors(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	header := `{"format": "appbench-flowprint-flows", "version": 1, "flows": 1}` + "\n"
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"not gzip":      {[]byte("plain"), "x.gz"},
		"wrong header":  {gz(`{"format": "other"}` + "\n"), "line 1"},
		"bad flow":      {gz(header + `{"label": "a", "src": "nope"}` + "\n"), "line 2"},
		"missing times": {gz(header + `{"label": "a", "src": "1.1.1.1", "dst": "2.2.2.2", "times": [], "lengths": []}` + "\n"), "line 2"},
		"truncated":     {gz(header), "header says 1"},
	} {
		_, err := ReadFlows(bytes.NewReader(c.data), "x.gz")
		if err == nil || !errors.Is(err, ErrFlowFile) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q and wrapping ErrFlowFile", name, err, c.want)
		}
	}
}

func TestSplitFlows(t *testing.T) {
	var flows []Flow
	for i := 0; i < 10; i++ {
		flows = append(flows, flowAt(int64(i), "1.1.1.1", 443, "", float64(i)))
	}
	train, test, err := SplitFlows(flows, 0.25, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 7 || len(test) != 3 {
		t.Errorf("split 0.25 of 10: %d train, %d test; want 7 and 3 (test = ceil)", len(train), len(test))
	}
	train2, _, _ := SplitFlows(flows, 0.25, 42)
	if !reflect.DeepEqual(train, train2) {
		t.Error("same seed gave different splits")
	}
	_, test3, _ := SplitFlows(flows, 0.25, 43)
	if reflect.DeepEqual(test, test3) {
		t.Error("seeds 42 and 43 gave the same test part")
	}
	if _, _, err := SplitFlows(flows, 1.5, 1); err == nil {
		t.Error("fraction 1.5 accepted")
	}
}
