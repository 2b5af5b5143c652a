package appscanner

import (
	"errors"
	"net/netip"
	"slices"
	"strconv"
	"testing"

	"appbench/datasets"
)

var (
	phone  = netip.MustParseAddr("192.168.1.10")
	server = netip.MustParseAddr("93.184.216.34")
	other  = netip.MustParseAddr("8.8.4.4")
)

// mk builds a packet at t nanoseconds from src:sp to dst:dp of ln bytes.
func mk(frame int64, t int64, proto datasets.Protocol, src netip.Addr, sp uint16, dst netip.Addr, dp uint16, ln int) datasets.Packet {
	return datasets.Packet{Frame: frame, Time: t, Proto: proto, Src: src, Dst: dst, SrcPort: sp, DstPort: dp, IPLen: ln, FrameLen: ln + 14}
}

const s = int64(1e9)

// The expected values are what Debian's Python 3.11.2 (the one that wrote
// the reference outputs) answers for ipaddress.ip_address(a).is_private.
func TestIsPrivatePythonTable(t *testing.T) {
	for a, want := range map[string]bool{
		"10.1.2.3": true, "172.16.0.1": true, "192.168.0.1": true, "8.8.8.8": false,
		"100.64.0.1": false, "203.0.113.9": true, "203.0.114.9": false, "192.0.0.171": true,
		"2002:ffff::1": true, "2003::1": false, "64:ff9b::1": false, "64:ff9b:1:ffff::1": true, "64:ff9b:2::1": false,
		"100::ffff:ffff:ffff:ffff": true, "100:0:0:1::1": false, "2001:1ff::1": true, "2001:200::1": false,
		"2001:1::3": true, "2001:1::1": false, "2001:1::2": false, "2001:4:112:1::1": false, "2001:4:113::1": true,
		"2001:2f::1": false, "2001:40::1": true, "2001:db8::1": true, "2001:db9::1": false, "fbff::1": false,
		"fc00::1": true, "fdff::1": true, "fe00::1": false, "fe80::1": true, "febf::1": true, "fec0::1": false,
		"::2": false, "::ffff:0:1": true, "::ffff:192.0.0.9": false, "::ffff:10.0.0.1": true, "::ffff:8.8.8.8": false,
		"::1": true, "192.0.0.8": true, "192.0.0.9": false, "192.0.0.10": false, "192.0.0.11": true, "192.0.1.1": false,
		"0.0.0.0": true, "255.255.255.254": true, "239.255.255.255": false, "240.0.0.0": true, "172.31.255.255": true,
		"172.32.0.0": false, "198.17.255.255": false, "198.18.0.0": true, "198.19.255.255": true, "198.20.0.0": false,
		"100.127.255.255": false, "224.0.0.1": false, "169.254.0.0": true, "169.255.0.0": false,
		"127.255.255.255": true, "128.0.0.0": false, "11.0.0.0": false, "9.255.255.255": false,
	} {
		if got := IsPrivate(netip.MustParseAddr(a)); got != want {
			t.Errorf("IsPrivate(%s) = %v, want %v", a, got, want)
		}
	}
	if IsPrivate(netip.Addr{}) {
		t.Error("the zero Addr is private")
	}
}

func TestCSVFlowsBurstsAndQuirks(t *testing.T) {
	t0 := int64(1600000000) * s
	pkts := []datasets.Packet{
		mk(0, t0, datasets.TCP, phone, 40000, server, 443, 60),             // dropped: first packet
		mk(0, t0+s/10, datasets.TCP, phone, 40000, server, 443, 100),       // burst 1 starts here
		mk(0, t0+s/5, datasets.TCP, server, 443, phone, 40000, 1500),       // incoming
		mk(0, t0+s/5, datasets.UDP, phone, 5000, other, 53, 80),            // DNS: dropped
		mk(0, t0+s/4, datasets.UDP, phone, 5001, other, 3478, 90),          // UDP kept
		mk(0, t0+s/4+s, datasets.TCP, server, 443, phone, 40000, 1400),     // gap exactly 1 s: same burst
		mk(0, t0+s/4+2*s+1, datasets.TCP, phone, 40000, server, 443, 200),  // gap 1 s + 1 ns: new burst
		mk(0, t0+s/4+2*s+2, datasets.TCP, server, 443, phone, 40000, 1300), // incoming
	}
	flows, err := CSVFlows(pkts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b1 := seconds(t0 + s/10)
	b2 := seconds(t0 + s/4 + 2*s + 1)
	want := []Flow{
		{FlowKey{b1, phone, 40000, server, 443}, []float64{100, -1500, -1400}},
		{FlowKey{b1, phone, 5001, other, 3478}, []float64{90}},
		{FlowKey{b2, phone, 40000, server, 443}, []float64{200, -1300}},
	}
	if len(flows) != len(want) {
		t.Fatalf("%d flows, want %d: %+v", len(flows), len(want), flows)
	}
	for i := range want {
		if flows[i].Key != want[i].Key || !slices.Equal(flows[i].Lengths, want[i].Lengths) {
			t.Errorf("flow %d = %+v, want %+v", i, flows[i], want[i])
		}
	}
}

func TestPcapFlowsFiltersAndSorts(t *testing.T) {
	t0 := int64(1600000000) * s
	pkts := []datasets.Packet{
		mk(1, t0+3*s/10, datasets.TCP, phone, 40000, server, 443, 300), // out of order
		mk(2, t0, datasets.TCP, phone, 40000, server, 443, 10),         // first after sorting: dropped
		mk(3, t0+s/10, datasets.UDP, phone, 5000, server, 443, 999),    // UDP: ignored
		mk(4, t0+s/10, datasets.TCP, server, 443, phone, 40000, 100),
		mk(5, t0+s/5, datasets.TCP, phone, 53, server, 53, 200), // DNS over TCP is kept by R1
		mk(6, t0+s/10, datasets.TCP, netip.MustParseAddr("fe80::1"), 1, netip.MustParseAddr("fe80::2"), 2, 5),
	}
	flows, err := PcapFlows(pkts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := seconds(t0 + s/10)
	want := []Flow{
		{FlowKey{b, phone, 40000, server, 443}, []float64{-100, 300}},
		{FlowKey{b, phone, 53, server, 53}, []float64{200}},
	}
	if len(flows) != 2 || flows[0].Key != want[0].Key || !slices.Equal(flows[0].Lengths, want[0].Lengths) ||
		flows[1].Key != want[1].Key || !slices.Equal(flows[1].Lengths, want[1].Lengths) {
		t.Errorf("flows = %+v, want %+v", flows, want)
	}
	if _, err := PcapFlows(pkts, Options{Strict: true}); !errors.Is(err, ErrNoIPv4) || !errors.Is(err, datasets.ErrMalformed) {
		t.Errorf("strict extraction with an IPv6 TCP packet: err = %v, want ErrNoIPv4", err)
	}
}

func TestEmptyBursts(t *testing.T) {
	t0 := int64(1500000000) * s
	// The first gap follows packet 0: the first burst is empty.
	pkts := []datasets.Packet{
		mk(1, t0, datasets.TCP, phone, 1, server, 2, 10),
		mk(2, t0+2*s, datasets.TCP, phone, 1, server, 2, 20),
		mk(3, t0+2*s+1, datasets.TCP, phone, 1, server, 2, 30),
	}
	flows, err := PcapFlows(pkts, Options{})
	if err != nil || len(flows) != 1 || !slices.Equal(flows[0].Lengths, []float64{20, 30}) {
		t.Errorf("lenient: %+v, %v; want one flow {20, 30}", flows, err)
	}
	if _, err := PcapFlows(pkts, Options{Strict: true}); !errors.Is(err, ErrEmptyBurst) {
		t.Errorf("strict: err = %v, want ErrEmptyBurst", err)
	}
	// A single packet gives nothing (R1 crashes; R2 skips).
	if flows, err := CSVFlows(pkts[:1], Options{}); err != nil || len(flows) != 0 {
		t.Errorf("single packet: %+v, %v", flows, err)
	}
	if flows, err := CSVFlows(nil, Options{}); err != nil || flows == nil || len(flows) != 0 {
		t.Errorf("no packet: %#v, %v; want an empty, non-nil slice", flows, err)
	}
	if _, err := CSVFlows(pkts, Options{BurstGap: -1}); err == nil {
		t.Error("negative burst gap accepted")
	}
}

// Two private hosts give one flow per direction, both incoming; two public
// hosts give one per direction, both outgoing.
func TestDirectionRules(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	c, d := netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("9.9.9.9")
	t0 := int64(1500000000) * s
	pkts := []datasets.Packet{
		mk(0, t0, datasets.UDP, a, 1, b, 2, 1),
		mk(0, t0+1, datasets.UDP, a, 1, b, 2, 10),
		mk(0, t0+2, datasets.UDP, b, 2, a, 1, 20),
		mk(0, t0+3, datasets.UDP, c, 3, d, 4, 30),
		mk(0, t0+4, datasets.UDP, d, 4, c, 3, 40),
	}
	flows, err := CSVFlows(pkts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	T := seconds(t0 + 1)
	want := []Flow{
		{FlowKey{T, b, 2, a, 1}, []float64{-10}},
		{FlowKey{T, a, 1, b, 2}, []float64{-20}},
		{FlowKey{T, c, 3, d, 4}, []float64{30}},
		{FlowKey{T, d, 4, c, 3}, []float64{40}},
	}
	for i := range want {
		if i >= len(flows) || flows[i].Key != want[i].Key || !slices.Equal(flows[i].Lengths, want[i].Lengths) {
			t.Fatalf("flows = %+v, want %+v", flows, want)
		}
	}
}

// In file order (R2), a later burst can start at the same time as an
// earlier one; like Python's dict.update, its flow then replaces the
// earlier flow's values in the earlier flow's place.
func TestCSVRepeatedBurstKey(t *testing.T) {
	t0 := int64(1500000000) * s
	pkts := []datasets.Packet{
		mk(0, t0, datasets.TCP, phone, 1, server, 2, 1),      // dropped
		mk(0, t0+s, datasets.TCP, phone, 1, server, 2, 10),   // burst A, T = t0+1s
		mk(0, t0+s, datasets.TCP, phone, 7, server, 8, 11),   // burst A
		mk(0, t0+3*s, datasets.TCP, phone, 1, server, 2, 20), // gap 2 s: burst B, T = t0+3s
		mk(0, t0-5*s, datasets.TCP, phone, 1, server, 2, 30), // time goes back: no cut
		mk(0, t0+s, datasets.TCP, phone, 3, server, 4, 40),   // gap 6 s: burst C, T = t0+1s again
		mk(0, t0+s, datasets.TCP, phone, 1, server, 2, 1),    // burst C
	}
	flows, err := CSVFlows(pkts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	T := seconds(t0 + s)
	// Burst A: {1,2}: [10], {7,8}: [11]; burst B (T = t0+3s): {1,2}: [20, 30];
	// burst C (T = t0+1s): {3,4}: [40], {1,2}: [1] replaces burst A's [10].
	want := []Flow{
		{FlowKey{T, phone, 1, server, 2}, []float64{1}},
		{FlowKey{T, phone, 7, server, 8}, []float64{11}},
		{FlowKey{seconds(t0 + 3*s), phone, 1, server, 2}, []float64{20, 30}},
		{FlowKey{T, phone, 3, server, 4}, []float64{40}},
	}
	if len(flows) != len(want) {
		t.Fatalf("flows = %+v, want %+v", flows, want)
	}
	for i := range want {
		if flows[i].Key != want[i].Key || !slices.Equal(flows[i].Lengths, want[i].Lengths) {
			t.Errorf("flow %d = %+v, want %+v", i, flows[i], want[i])
		}
	}
}

func TestSecondsIsNearestFloat(t *testing.T) {
	// 1600896590.034787 s: float64(ns)/1e9 may round twice; seconds must
	// equal the decimal parse.
	for _, ns := range []int64{1600896590034787000, 1055289978802836000, 999999999, 0, -1500000000} {
		d := datasets.AppendSeconds(nil, ns)
		want, _ := parseFloat(string(d))
		if got := seconds(ns); got != want {
			t.Errorf("seconds(%d) = %v, want %v (%s)", ns, got, want, d)
		}
	}
}

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
