package appscanner

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"

	"appbench/datasets"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// profile is an app's traffic shape: request and response sizes.
type profile struct{ out, in int }

// chunk makes 60 s of one app's traffic: the phone 192.168.1.10 opens a
// connection to the app's server every 3 s (a new burst each time) and
// exchanges a few request/response pairs of the app's sizes with a little
// jitter. frames > 0 numbers the packets as a capture would.
func chunk(rng *rand.Rand, app int, p profile, start int64, frames bool) []datasets.Packet {
	phone := netip.MustParseAddr("192.168.1.10")
	server := netip.AddrFrom4([4]byte{203, 0, 114, byte(app + 1)})
	var out []datasets.Packet
	for b := 0; b < 20; b++ {
		t := start + int64(b)*3e9
		port := uint16(40000 + b)
		for k := 0; k < 4; k++ {
			jo, ji := rng.IntN(21)-10, rng.IntN(41)-20
			out = append(out,
				datasets.Packet{Time: t, Proto: datasets.TCP, Src: phone, Dst: server, SrcPort: port, DstPort: 443, IPLen: p.out + jo},
				datasets.Packet{Time: t + 20e6, Proto: datasets.TCP, Src: server, Dst: phone, SrcPort: 443, DstPort: port, IPLen: p.in + ji})
			t += 50e6
		}
	}
	if frames {
		for i := range out {
			out[i].Frame = int64(i + 1)
		}
	}
	return out
}

var profiles = []profile{{out: 120, in: 1400}, {out: 600, in: 300}, {out: 900, in: 900}}
var apps = []string{"chat", "game", "video"}

func samples(seed uint64, perApp int, frames bool) []methods.Sample {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []methods.Sample
	for i := 0; i < perApp; i++ {
		for a := range apps {
			out = append(out, methods.Sample{Label: apps[a], Capture: apps[a],
				Packets: chunk(rng, a, profiles[a], int64(1600000000+i*100)*1e9, frames)})
		}
	}
	return out
}

func TestEndToEndSyntheticApps(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		yaml   string
		frames bool
	}{
		{"defaults, csv rows", "", false},
		{"pcap extraction", "extraction: pcap\ntrees: 30\n", true},
		{"three models on disjoint slices", "models: 3\ntrees: 20\nthreshold: 0.5\n", false},
		{"soft voting", "voting: soft\ntrees: 20\nburst_gap: 2\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := methodtest.New(t, "appscanner", tc.yaml, 1, 2)
			if err := m.Fit(ctx, samples(1, 6, tc.frames)); err != nil {
				t.Fatal(err)
			}
			test := samples(2, 3, tc.frames)
			pred, err := m.Predict(ctx, test)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pred {
				if p.Unknown || p.Label != test[i].Label || !(p.Score > 0.5 && p.Score <= 1) {
					t.Errorf("sample %d (%s): %+v", i, test[i].Label, p)
				}
			}
			// A save/load round trip predicts the same.
			var buf bytes.Buffer
			if err := m.(methods.Saver).Save(&buf); err != nil {
				t.Fatal(err)
			}
			m2 := methodtest.New(t, "appscanner", "", 99, 2)
			if err := m2.(methods.Loader).Load(&buf); err != nil {
				t.Fatal(err)
			}
			pred2, err := m2.Predict(ctx, test)
			if err != nil {
				t.Fatal(err)
			}
			for i := range pred {
				if pred[i] != pred2[i] {
					t.Errorf("sample %d: loaded model says %+v, fitted one %+v", i, pred2[i], pred[i])
				}
			}
		})
	}
}

// Two apps with the same traffic cannot be told apart: no flow reaches a
// 0.9 confidence, so chunks come out Unknown, as does a chunk without
// packets.
func TestUnknownChunks(t *testing.T) {
	ctx := context.Background()
	m := methodtest.New(t, "appscanner", "trees: 25\nthreshold: 0.9\n", 1, 2)
	if !m.(methods.Detector).DetectsUnknown() {
		t.Error("a threshold should make the method a detector")
	}
	rng := rand.New(rand.NewPCG(3, 3))
	var train []methods.Sample
	for i := 0; i < 4; i++ {
		for _, app := range []string{"twin-a", "twin-b"} {
			train = append(train, methods.Sample{Label: app, Packets: chunk(rng, 0, profiles[0], int64(1600000000+i*100)*1e9, false)})
		}
	}
	if err := m.Fit(ctx, train); err != nil {
		t.Fatal(err)
	}
	test := []methods.Sample{
		{Label: "twin-a", Packets: chunk(rng, 0, profiles[0], 1700000000e9, false)},
		{Label: "twin-b"}, // no packets: no flow
	}
	pred, err := m.Predict(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pred {
		if !p.Unknown || p.Label != "" || p.Score != 0 {
			t.Errorf("sample %d: %+v, want Unknown", i, p)
		}
	}
	if methodtest.New(t, "appscanner", "", 1, 2).(methods.Detector).DetectsUnknown() {
		t.Error("without a threshold the method should not claim open-world detection")
	}
}

func TestSameSeedSamePredictions(t *testing.T) {
	ctx := context.Background()
	var saved [][]byte
	for range 2 {
		m := methodtest.New(t, "appscanner", "trees: 15\n", 5, 2)
		if err := m.Fit(ctx, samples(1, 3, false)); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.(methods.Saver).Save(&buf); err != nil {
			t.Fatal(err)
		}
		saved = append(saved, buf.Bytes())
	}
	if !bytes.Equal(saved[0], saved[1]) {
		t.Error("two fits with the same seed differ")
	}
}

func TestParamsRejected(t *testing.T) {
	methodtest.CheckParamErrors(t, "appscanner", []methodtest.BadParam{
		{Key: "trees", Params: "trees: 0\n"},
		{Key: "max_features", Params: "max_features: 55\n"},
		{Key: "max_depth", Params: "max_depth: -1\n"},
		{Key: "min_samples_leaf", Params: "min_samples_leaf: -1\n"},
		{Key: "threshold", Params: "threshold: 2\n"},
		{Key: "burst_gap", Params: "burst_gap: -1\n"},
		{Key: "extraction", Params: "extraction: udp\n"},
		{Key: "models", Params: "models: 0\n"},
		{Key: "voting", Params: "voting: loud\n"},
	})
	if _, err := methodtest.Build("appscanner", "colour: red\n", 1, 1); err == nil {
		t.Error("unknown key accepted")
	}
	m := methodtest.New(t, "appscanner", "", 1, 2)
	if _, err := m.Predict(context.Background(), nil); err == nil {
		t.Error("Predict before Fit accepted")
	}
	if err := m.Fit(context.Background(), []methods.Sample{{Packets: chunk(rand.New(rand.NewPCG(1, 1)), 0, profiles[0], 0, false)}}); err == nil {
		t.Error("unlabelled training sample accepted")
	}
}

// TestPredictBatchesSameAsOnePass: predicting the test chunks in batches
// of a few flows gives the predictions of one pass over all their flows,
// with hard and soft voting and several models.
func TestPredictBatchesSameAsOnePass(t *testing.T) {
	ctx := context.Background()
	test := samples(2, 4, false)
	for _, yaml := range []string{"trees: 10\n", "trees: 10\nvoting: soft\nmodels: 2\nthreshold: 0.6\n"} {
		m := methodtest.New(t, "appscanner", yaml, 3, 2)
		if err := m.Fit(ctx, samples(1, 4, false)); err != nil {
			t.Fatal(err)
		}
		want, err := m.Predict(ctx, test)
		if err != nil {
			t.Fatal(err)
		}
		defer func(n int) { predictBatchFlows = n }(predictBatchFlows)
		predictBatchFlows = 3
		got, err := m.Predict(ctx, test)
		if err != nil {
			t.Fatal(err)
		}
		predictBatchFlows = 1 << 16
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: batched predictions differ:\n got %v\nwant %v", yaml, got, want)
		}
	}
}
