package flowprint

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"appbench/datasets"
	fp "appbench/flowprint"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// certDER is a minimal certificate whose serial number is serial.
func certDER(serial uint16) []byte {
	return []byte{0x30, 0x06, 0x30, 0x04, 0x02, 0x02, byte(serial >> 8), byte(serial)}
}

// withCerts spreads the chunks apart in time (chunk i starts 1000 s after
// chunk i-1, as chunks of a capture do) and adds certificates: the first
// reply of each
// server carries the server's certificate (shared by two of an app's three
// servers), a later reply of server 1 a second, different one (which the
// flow ignores), and each chunk gets an IPv6 conversation.
func withCerts(samples []methods.Sample) {
	v6c, v6s := netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("2001:db8::443")
	for i := range samples {
		pk := samples[i].Packets
		if len(pk) == 0 {
			continue
		}
		seen := map[netip.Addr]int{}
		for j := range pk {
			p := &pk[j]
			p.Time += int64(i) * 1000e9
			if p.SrcPort != 443 {
				continue
			}
			seen[p.Src]++
			o := p.Src.As4()
			switch {
			case seen[p.Src] == 1:
				p.Cert = certDER(uint16(o[2])<<8 | uint16(min(o[3], 2)))
			case seen[p.Src] == 3 && o[3] == 1:
				p.Cert = certDER(9999)
			}
		}
		t := pk[0].Time
		samples[i].Packets = append(pk,
			datasets.Packet{Time: t + 1, Proto: datasets.TCP, Stream: 9, Src: v6c, Dst: v6s, SrcPort: 50000, DstPort: 443, IPLen: 80},
			datasets.Packet{Time: t + 2e9, Proto: datasets.TCP, Stream: 9, Src: v6s, Dst: v6c, SrcPort: 443, DstPort: 50000, IPLen: 900, Cert: certDER(7)})
	}
}

// TestFeaturizer checks that predictions from features equal Fit/Predict,
// with certificates blanked in training (the default) or kept, identified
// by serial or digest, IPv6 dropped or kept, in both voting modes.
func TestFeaturizer(t *testing.T) {
	train, test := methodtest.GraphChunks(rand.New(rand.NewPCG(3, 4)))
	withCerts(train)
	withCerts(test)
	test = append(test, moved(test)...)
	for _, params := range []string{
		"",
		"train_certificates: true\n",
		"certificate_hash: true\ninput: full\n",
		"mode: fingerprint\ntest_window: 0\nround_trip: false\n",
	} {
		methodtest.CheckFeaturizer(t, "flowprint", params, 1, train, test)
	}
}

// TestFeatureKeys checks that the input mode and the certificate identity
// change the key and the fingerprinting and matching parameters do not.
func TestFeatureKeys(t *testing.T) {
	methodtest.CheckFeatureKey(t, "flowprint",
		[]string{"input: full", "certificate_hash: true"},
		[]string{"batch: 100", "window: 5", "test_window: 10", "similarity: 0.5", "threshold: 0.3",
			"mode: fingerprint", "train_certificates: true", "default: largest", "round_trip: false"})
}

// TestFeaturesExact checks that decoding keeps every flow field that
// fingerprinting reads, times bit for bit, and rejects every truncation.
func TestFeaturesExact(t *testing.T) {
	train, _ := methodtest.GraphChunks(rand.New(rand.NewPCG(5, 6)))
	withCerts(train)
	m := methodtest.New(t, "flowprint", "input: full", 1, 1).(*Method)
	s := train[0]
	b, err := m.Features(s)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.flowsOf(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeFlows(nil, b, "chunk", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d flows, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		w.Src, w.SrcPort, w.Lengths = netip.Addr{}, 0, nil
		if g.Proto != w.Proto || g.Stream != w.Stream || g.Dst != w.Dst || g.DstPort != w.DstPort ||
			g.Cert != w.Cert || g.Start != w.Start || g.End != w.End || len(g.Times) != len(w.Times) {
			t.Fatalf("flow %d: got %+v, want %+v", i, g, w)
		}
		for j := range w.Times {
			if g.Times[j] != w.Times[j] {
				t.Fatalf("flow %d time %d: %v, want %v", i, j, g.Times[j], w.Times[j])
			}
		}
	}
	checkTrainingFlows(t, b, got)
	// Damaged bytes give errors or other features, never a panic.
	methodtest.Mutations(b, func(c []byte) {
		_, _ = decodeFlows(nil, c, "chunk", false)
		_, _ = readTraining(c)
	})
	for n := 0; n < len(b); n++ {
		if _, err := decodeFlows(nil, b[:n], "chunk", false); err == nil {
			t.Fatalf("features truncated to %d of %d bytes accepted", n, len(b))
		}
		if _, err := readTraining(b[:n]); err == nil {
			t.Fatalf("training features truncated to %d of %d bytes accepted", n, len(b))
		}
	}
}

// readTraining reads features b as the one chunk of a training set.
func readTraining(b []byte) (*trainingFlows, error) {
	t := &trainingFlows{feats: make([][]byte, 1)}
	in := newInterner()
	var times []float64
	err := t.add(in, 0, b, false, &times)
	t.dsts, t.certs = in.dsts.list, in.certs.list
	return t, err
}

// checkTrainingFlows checks that the compact training flows of features b
// read as the decoded flows want.
func checkTrainingFlows(t *testing.T, b []byte, want []fp.Flow) {
	t.Helper()
	set, err := readTraining(b)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != len(want) {
		t.Fatalf("%d training flows, want %d", set.Len(), len(want))
	}
	for i, w := range want {
		start, end := set.Span(i)
		if start != w.Start || end != w.End || set.Destination(i) != w.Destination() ||
			set.Certificate(i) != w.Cert || !slices.Equal(set.AppendTimes(nil, i), w.Times) {
			t.Fatalf("training flow %d (%s) differs from %+v", i, set.Name(i), w)
		}
	}
}

// moved returns copies of the chunks with every IPv4 server moved to a
// new address (certificates kept), so that only certificates link them to
// the training chunks.
func moved(samples []methods.Sample) []methods.Sample {
	out := make([]methods.Sample, len(samples))
	for i, s := range samples {
		s.Packets = append([]datasets.Packet(nil), s.Packets...)
		for j := range s.Packets {
			p := &s.Packets[j]
			for _, a := range []*netip.Addr{&p.Src, &p.Dst} {
				if a.Is4() && a.As4()[0] == 203 {
					o := a.As4()
					*a = netip.AddrFrom4([4]byte{198, 51, o[2], o[3]})
				}
			}
		}
		out[i] = s
	}
	return out
}

// referencePredict fits and predicts as the method did before features
// existed: training flows built with certificates ignored unless
// train_certificates is set, test flows with certificates. It returns the
// predictions and the model's fingerprints.
func referencePredict(t *testing.T, params string, train, test []methods.Sample) ([]methods.Prediction, []fp.Entry) {
	t.Helper()
	m := methodtest.New(t, "flowprint", params, 1, 1).(*Method)
	trainOpts := m.p.flowOptions()
	trainOpts.IgnoreCertificates = !m.p.TrainCertificates
	var flows []fp.Flow
	var labels []string
	for i, s := range train {
		fl, err := fp.FlowsFromPackets(s.Packets, strconv.Itoa(i), trainOpts)
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, fl...)
		for range fl {
			labels = append(labels, s.Label)
		}
	}
	if err := m.fitFlows(fp.Flows(flows), labels); err != nil {
		t.Fatal(err)
	}
	out := make([]methods.Prediction, len(test))
	for i, s := range test {
		fl, err := fp.FlowsFromPackets(s.Packets, "chunk", m.p.flowOptions())
		if err != nil {
			t.Fatal(err)
		}
		if out[i], err = m.predictOne(fl); err != nil {
			t.Fatal(err)
		}
	}
	return out, m.model.Entries()
}

// TestFeaturesMatchReference checks that fitting from features, which keep
// certificates and drop them in training, predicts what building the
// training flows without certificates predicts, on test chunks that only
// certificates link to the training chunks (so that certificates decide),
// and that the compact training flows give the same fingerprints as
// []fp.Flow.
func TestFeaturesMatchReference(t *testing.T) {
	train, test := methodtest.GraphChunks(rand.New(rand.NewPCG(3, 4)))
	withCerts(train)
	withCerts(test)
	test = append(test, moved(test)...)
	for _, params := range []string{"", "train_certificates: true\n", "certificate_hash: true\ninput: full\n"} {
		m := methodtest.New(t, "flowprint", params, 1, 2)
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		got, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		want, wantEntries := referencePredict(t, params, train, test)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("params %q: predictions\n got %v\nwant %v", params, got, want)
		}
		if entries := m.(*Method).model.Entries(); len(entries) == 0 || !reflect.DeepEqual(entries, wantEntries) {
			t.Errorf("params %q: %d fingerprints\n got %v\nwant %v", params, len(entries), entries, wantEntries)
		}
	}
}
