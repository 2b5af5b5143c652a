package mappgraph

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	mg "appbench/mappgraph"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// ipGraph is a standardised graph whose only app signal is in the IP-octet
// features (app a raises octet a+1 of every node); every other feature is
// noise.
func ipGraph(rng *rand.Rand, app, id int) methods.Sample {
	n := 3 + rng.IntN(4)
	g := &mg.Graph{ID: id, App: fmt.Sprintf("g%d", app), Scaled: true, Nodes: make([]mg.Node, n)}
	for i := range g.Nodes {
		for f := range g.Nodes[i].Features {
			g.Nodes[i].Features[f] = 0.3 * rng.NormFloat64()
		}
		g.Nodes[i].Features[mg.FeatureIP1+app] += 2
	}
	for i := 1; i < n; i++ {
		g.Edges = append(g.Edges, mg.Edge{Source: i - 1, Target: i, Weight: 1})
	}
	return methods.Sample{Label: g.App, Capture: fmt.Sprintf("%s/%d", g.App, id), Graph: g}
}

// TestIPFeatures checks the ip_features switch: with the octets the
// network learns apps told apart by their addresses only; without them it
// sees 59 features per node, cannot tell the apps apart, and keeps the
// variant through Save and Load.
func TestIPFeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var train, test []methods.Sample
	for app := 0; app < 3; app++ {
		for i := 0; i < 40; i++ {
			train = append(train, ipGraph(rng, app, i+1))
		}
		for i := 0; i < 20; i++ {
			test = append(test, ipGraph(rng, app, 100+i))
		}
	}
	accuracy := func(m methods.Method) float64 {
		t.Helper()
		pred, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		c := 0
		for i, p := range pred {
			if p.Label == test[i].Label {
				c++
			}
		}
		return float64(c) / float64(len(test))
	}
	long := strings.Replace(small, "epochs: 30", "epochs: 80", 1)
	with := methodtest.New(t, "mappgraph", long, 3, 2)
	if err := with.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	without := methodtest.New(t, "mappgraph", long+"ip_features: false\n", 3, 2)
	if err := without.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	if f := with.(*Method).model.Features; f != mg.NumFeatures {
		t.Errorf("ip_features true: network input has %d features, want %d", f, mg.NumFeatures)
	}
	if f := without.(*Method).model.Features; f != mg.NumFeaturesWithoutIP {
		t.Errorf("ip_features false: network input has %d features, want %d", f, mg.NumFeaturesWithoutIP)
	}
	aw, ao := accuracy(with), accuracy(without)
	if aw < 0.9 {
		t.Errorf("with IP features: accuracy %.3f on apps told apart by address", aw)
	}
	if ao > 0.6 { // chance is 1/3
		t.Errorf("without IP features: accuracy %.3f, the octets must not reach the network", ao)
	}
	var buf bytes.Buffer
	if err := without.(methods.Saver).Save(&buf); err != nil {
		t.Fatal(err)
	}
	l := methodtest.New(t, "mappgraph", "", 1, 2)
	if err := l.(methods.Loader).Load(&buf); err != nil {
		t.Fatal(err)
	}
	if l.(*Method).p.IPFeatures || l.(*Method).model.Features != mg.NumFeaturesWithoutIP {
		t.Errorf("after Load: ip_features %v, %d input features", l.(*Method).p.IPFeatures, l.(*Method).model.Features)
	}
	if a := accuracy(l); a != ao {
		t.Errorf("accuracy %.3f after Load, %.3f before", a, ao)
	}
}
