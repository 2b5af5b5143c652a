package flowprint

import (
	"net/netip"
	"testing"
)

// voteFlows returns n flows of one second each, every second for 60 s, to
// destination 10.<app>.0.<k> port 443 (k = 1..n).
func voteFlows(app, n int) []Flow {
	var out []Flow
	for k := 1; k <= n; k++ {
		var ts []float64
		for s := 0; s < 60; s += 2 {
			ts = append(ts, 1e9+float64(s))
		}
		out = append(out, Flow{Label: "c", Stream: int64(k), Src: netip.MustParseAddr("192.168.0.2"),
			Dst: netip.AddrFrom4([4]byte{10, byte(app), 0, byte(k)}), SrcPort: 40000, DstPort: 443,
			Times: ts, Lengths: make([]int, len(ts)), Start: ts[0], End: ts[len(ts)-1]})
	}
	return out
}

// TestChunkVote: a chunk talking to one app's destinations gets that app
// with every vote; one talking to unknown destinations is unseen; an empty
// chunk is unseen with no vote.
func TestChunkVote(t *testing.T) {
	m := NewModel(DefaultParams())
	for app, label := range []string{"a", "b"} {
		var els []Element
		for _, f := range voteFlows(app+1, 3) {
			els = append(els, DestinationElement(f.Dst, f.DstPort))
		}
		m.Add(NewFingerprint(els, 3), label)
	}
	opt := VoteOptions{Default: DefaultCommon, Threshold: 0.1}
	for _, c := range []struct {
		flows        []Flow
		label        string
		share        float64
		unseen       bool
		perFP, votes int
	}{
		{voteFlows(2, 3), "b", 1, false, 1, 3},
		{voteFlows(9, 2), "a", 1, true, 1, 2},
		{nil, "", 0, true, 0, 0},
	} {
		v, err := m.ChunkVote(c.flows, DefaultParams(), opt)
		if err != nil {
			t.Fatal(err)
		}
		if v.Label != c.label || v.Share != c.share || v.Unseen != c.unseen || v.Votes != c.votes {
			t.Errorf("flows to %v: %+v", c.flows, v)
		}
		o := opt
		o.PerFingerprint = true
		if v, _ := m.ChunkVote(c.flows, DefaultParams(), o); v.Votes != c.perFP {
			t.Errorf("one vote per fingerprint: %d votes, want %d", v.Votes, c.perFP)
		}
	}
}
