package flowprint

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"appbench/datasets"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// chunk makes a traffic chunk of app (0-based) starting at t0 seconds: a
// handful of TCP conversations from one client to the app's own servers,
// each a few packets within the first minute.
func chunk(rng *rand.Rand, app int, t0 float64) []datasets.Packet {
	client := netip.AddrFrom4([4]byte{192, 168, 1, 10})
	var pkts []datasets.Packet
	for d := 0; d < 5; d++ {
		server := netip.AddrFrom4([4]byte{10, byte(app), 0, byte(d + 1)})
		start := t0 + rng.Float64()*20
		for k := 0; k < 4; k++ {
			t := start + float64(k)*rng.Float64()*5
			p := datasets.Packet{Time: int64(t * 1e9), Proto: datasets.TCP, Stream: int64(d), Src: client, Dst: server,
				SrcPort: uint16(50000 + d), DstPort: 443, IPLen: 100}
			if k%2 == 1 {
				p.Src, p.Dst, p.SrcPort, p.DstPort = p.Dst, p.Src, p.DstPort, p.SrcPort
			}
			pkts = append(pkts, p)
		}
	}
	return pkts
}

func newMethod(t *testing.T, workers int) methods.Method {
	t.Helper()
	f, err := methods.Lookup("flowprint")
	if err != nil {
		t.Fatal(err)
	}
	m, err := f(methods.Config{Workers: workers, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestChunksRecognisedAndUnseenFlagged: apps with disjoint servers are
// recognised perfectly; chunks of an app absent from training are Unknown.
func TestChunksRecognisedAndUnseenFlagged(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var train, test []methods.Sample
	for app := 0; app < 5; app++ {
		name := fmt.Sprintf("app%d", app)
		for c := 0; c < 3; c++ {
			s := methods.Sample{Label: name, Capture: name, Packets: chunk(rng, app, 1e9+float64(app*10000+c*400))}
			if app < 4 {
				train = append(train, s)
			}
			if c == 2 || app == 4 {
				s.Packets = chunk(rng, app, 2e9+float64(app*10000+c*400))
				test = append(test, s)
			}
		}
	}
	for _, workers := range []int{1, 3} {
		m := newMethod(t, workers)
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		preds, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range preds {
			unseen := test[i].Label == "app4"
			if p.Unknown != unseen {
				t.Errorf("workers %d: %s chunk: Unknown = %v", workers, test[i].Label, p.Unknown)
			}
			if !unseen && (p.Label != test[i].Label || p.Score != 1) {
				t.Errorf("workers %d: %s chunk predicted %q score %v", workers, test[i].Label, p.Label, p.Score)
			}
		}

		// Save and Load give the same predictions.
		var buf bytes.Buffer
		if err := m.(methods.Saver).Save(&buf); err != nil {
			t.Fatal(err)
		}
		m2 := newMethod(t, workers)
		if err := m2.(methods.Loader).Load(&buf); err != nil {
			t.Fatal(err)
		}
		preds2, err := m2.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(preds) != fmt.Sprint(preds2) {
			t.Errorf("after Save/Load: %v, want %v", preds2, preds)
		}
	}
}

// TestParamsValidation: bad parameter values are errors naming the key.
func TestParamsValidation(t *testing.T) {
	methodtest.CheckParamErrors(t, "flowprint", []methodtest.BadParam{
		{Key: "mode", Params: "mode: vote\n"},
		{Key: "input", Params: "input: ipv6\n"},
		{Key: "default", Params: "default: first\n"},
		{Key: "batch", Params: "batch: 0\n"},
		{Key: "window", Params: "window: 0\n"},
		{Key: "window", Params: "window: .inf\n"},
		{Key: "test_window", Params: "test_window: -1\n"},
		{Key: "correlation", Params: "correlation: .nan\n"},
		{Key: "similarity", Params: "similarity: .nan\n"},
	})
	if err := DefaultParams().Validate(); err != nil {
		t.Error(err)
	}
}

// TestPredictBeforeFit is an error, not a panic.
func TestPredictBeforeFit(t *testing.T) {
	m := newMethod(t, 1)
	if _, err := m.Predict(context.Background(), []methods.Sample{{}}); err == nil {
		t.Error("Predict before Fit succeeded")
	}
}
