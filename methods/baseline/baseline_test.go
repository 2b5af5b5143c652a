package baseline

import (
	"bytes"
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"appbench/datasets"
	"appbench/mappgraph"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// chunk builds a sample whose client 10.0.0.1 talks to the given servers
// on port 443 (one request and one reply each).
func chunk(label string, servers ...string) methods.Sample {
	s := methods.Sample{Label: label}
	client := netip.MustParseAddr("10.0.0.1")
	for i, srv := range servers {
		a := netip.MustParseAddr(srv)
		s.Packets = append(s.Packets,
			datasets.Packet{Src: client, Dst: a, SrcPort: uint16(40000 + i), DstPort: 443},
			datasets.Packet{Src: a, Dst: client, SrcPort: 443, DstPort: uint16(40000 + i)})
	}
	return s
}

func build(t *testing.T, name, params string) methods.Method {
	t.Helper()
	f, err := methods.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	cfg := methods.Config{Workers: 2, Seed: 1}
	if params != "" {
		cfg.Decode = func(v any) error {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(params), &n); err != nil {
				return err
			}
			return n.Decode(v)
		}
	}
	m, err := f(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func labels(ps []methods.Prediction) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Label)
	}
	return out
}

func TestMajority(t *testing.T) {
	m := build(t, "majority", "")
	train := []methods.Sample{{Label: "b"}, {Label: "a"}, {Label: "b"}, {Label: "a"}, {Label: "c"}}
	if err := m.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	ps, err := m.Predict(context.Background(), make([]methods.Sample, 3))
	if err != nil {
		t.Fatal(err)
	}
	// a and b tie with 2 each: the label that sorts first wins.
	if got := labels(ps); !reflect.DeepEqual(got, []string{"a", "a", "a"}) || ps[0].Score != 0.4 {
		t.Errorf("predictions %v score %v", got, ps[0].Score)
	}
	var buf bytes.Buffer
	if err := m.(methods.Saver).Save(&buf); err != nil {
		t.Fatal(err)
	}
	m2 := build(t, "majority", "")
	if err := m2.(methods.Loader).Load(&buf); err != nil {
		t.Fatal(err)
	}
	ps2, _ := m2.Predict(context.Background(), make([]methods.Sample, 1))
	if ps2[0] != ps[0] {
		t.Errorf("loaded model predicts %+v, want %+v", ps2[0], ps[0])
	}
}

func TestDestinationSet(t *testing.T) {
	train := []methods.Sample{
		chunk("mail", "1.1.1.1", "1.1.1.2", "9.9.9.9"),
		chunk("mail", "1.1.1.1", "1.1.1.3"),
		chunk("video", "2.2.2.1", "2.2.2.2", "9.9.9.9"),
		chunk("video", "2.2.2.1", "2.2.2.3"),
		chunk("chat", "3.3.3.1", "9.9.9.9"),
	}
	test := []methods.Sample{
		chunk("mail", "1.1.1.1", "1.1.1.2"),             // J 2/3 with train 0
		chunk("video", "2.2.2.2", "2.2.2.3", "5.5.5.5"), // J 1/5 with train 2, 1/4 with 3
		chunk("chat", "3.3.3.1"),                        // J 1/2 with 4
		chunk("new", "7.7.7.7", "9.9.9.9"),              // only the shared server
		chunk("none", "8.8.8.8"),                        // nothing in common
	}
	m := build(t, "destination-set", "k: 1\nunknown_threshold: 0.3")
	if err := m.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	ps, err := m.Predict(context.Background(), test)
	if err != nil {
		t.Fatal(err)
	}
	// "new" shares 9.9.9.9 with train 0 (J 1/4), 2 (1/4) and 4 (1/3): the
	// nearest is chat. "none" falls back to the most frequent label
	// (mail and video tie at 2: mail sorts first).
	want := []string{"mail", "video", "chat", "chat", "mail"}
	if got := labels(ps); !reflect.DeepEqual(got, want) {
		t.Errorf("k=1 predictions %v, want %v", got, want)
	}
	wantUnknown := []bool{false, true, false, false, true}
	wantScore := []float64{2.0 / 3, 0.25, 0.5, 1.0 / 3, 0}
	for i, p := range ps {
		if p.Unknown != wantUnknown[i] || p.Score != wantScore[i] {
			t.Errorf("sample %d: unknown %v score %v, want %v %v", i, p.Unknown, p.Score, wantUnknown[i], wantScore[i])
		}
	}
	// k=3: for "new" the neighbours are chat (1/3), mail (1/4), video
	// (1/4): one vote each, chat has the largest similarity sum.
	m3 := build(t, "destination-set", "k: 3")
	if err := m3.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	ps3, _ := m3.Predict(context.Background(), test[3:4])
	if ps3[0].Label != "chat" {
		t.Errorf("k=3 predicts %q for the shared-only chunk, want chat", ps3[0].Label)
	}
	// Save and load give the same answers.
	var buf bytes.Buffer
	if err := m.(methods.Saver).Save(&buf); err != nil {
		t.Fatal(err)
	}
	m2 := build(t, "destination-set", "")
	if err := m2.(methods.Loader).Load(&buf); err != nil {
		t.Fatal(err)
	}
	ps2, err := m2.Predict(context.Background(), test)
	if err != nil || !reflect.DeepEqual(ps2, ps) {
		t.Errorf("loaded model: %v %v, want %v", ps2, err, ps)
	}
}

func TestDestinationSetServiceSide(t *testing.T) {
	s := chunk("x", "1.1.1.1")
	got, _ := Destinations(&s, true)
	if len(got) != 1 || got[0].String() != "1.1.1.1:443" {
		t.Errorf("service side %v", got)
	}
	got, _ = Destinations(&s, false)
	if len(got) != 2 || got[1].String() != "10.0.0.1:40000" {
		t.Errorf("all destinations %v", got)
	}
}

func TestDestinationSetGraphs(t *testing.T) {
	g := func(app string, ips ...string) methods.Sample {
		gr := &mappgraph.Graph{App: app}
		for _, ip := range ips {
			gr.Nodes = append(gr.Nodes, mappgraph.Node{IP: ip, Port: 443})
		}
		return methods.Sample{Label: app, Graph: gr}
	}
	m := build(t, "destination-set", "k: 1")
	if methods.InputsOf(m) != methods.Packets|methods.Graphs {
		t.Errorf("inputs %v", methods.InputsOf(m))
	}
	if err := m.Fit(context.Background(), []methods.Sample{g("a", "1.0.0.1", "1.0.0.2"), g("b", "2.0.0.1")}); err != nil {
		t.Fatal(err)
	}
	ps, err := m.Predict(context.Background(), []methods.Sample{g("?", "2.0.0.1", "1.0.0.9"), g("?", "1.0.0.2")})
	if err != nil || labels(ps)[0] != "b" || labels(ps)[1] != "a" {
		t.Errorf("graph predictions %v, %v", labels(ps), err)
	}
	if _, err := m.Predict(context.Background(), []methods.Sample{g("?", "not-an-ip")}); err == nil || !strings.Contains(err.Error(), "node 0") {
		t.Errorf("bad node address: %v", err)
	}
}

func TestDestinationSetBadParams(t *testing.T) {
	methodtest.CheckParamErrors(t, "destination-set", []methodtest.BadParam{
		{Key: "k", Params: "k: 0\n"},
		{Key: "unknown_threshold", Params: "unknown_threshold: 2\n"},
		{Key: "unknown_threshold", Params: "unknown_threshold: .nan\n"},
	})
}
