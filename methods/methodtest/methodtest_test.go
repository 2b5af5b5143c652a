package methodtest_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	_ "appbench/methods/baseline"
	"appbench/methods/methodtest"
)

func TestBuildIsStrict(t *testing.T) {
	if _, err := methodtest.Build("destination-set", "k: 3\n", 1, 1); err != nil {
		t.Fatalf("valid parameters rejected: %v", err)
	}
	if _, err := methodtest.Build("destination-set", "nosuchkey: 1\n", 1, 1); err == nil {
		t.Error("unknown parameter accepted")
	}
	if _, err := methodtest.Build("destination-set", "k: three\n", 1, 1); err == nil {
		t.Error("parameter of the wrong type accepted")
	}
	if _, err := methodtest.Build("no-such-method", "", 1, 1); err == nil {
		t.Error("unknown method accepted")
	}
}

func TestAppTraffic(t *testing.T) {
	a := methodtest.AppTraffic(rand.New(rand.NewPCG(1, 2)), 1)
	b := methodtest.AppTraffic(rand.New(rand.NewPCG(1, 2)), 1)
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("not deterministic or empty: %d and %d packets", len(a), len(b))
	}
	for _, p := range a {
		server := p.Dst
		if p.SrcPort == 443 {
			server = p.Src
		}
		if ip := server.As4(); ip[0] != 203 || ip[2] != 1 || ip[3] < 1 || ip[3] > 3 {
			t.Fatalf("packet %+v does not talk to app 1's servers", p)
		}
		if p.Time < a[0].Time || p.Time-a[0].Time >= 60e9 {
			t.Fatalf("packet at %d outside the 60 s chunk", p.Time)
		}
	}
}
