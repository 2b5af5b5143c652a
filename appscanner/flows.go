package appscanner

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"

	"appbench/datasets"
)

// DefaultBurstGap is the burst threshold in seconds: packets more than
// this apart (strictly) start a new burst.
const DefaultBurstGap = 1.0

// FlowKey identifies an AppScanner flow: the burst it belongs to and its
// endpoints seen from the phone ("local" is the private side).
type FlowKey struct {
	// BurstTime is the timestamp, in seconds since the epoch, of the first
	// kept packet of the burst.
	BurstTime float64
	// LocalIP and LocalPort are the destination of an incoming packet and
	// the source of an outgoing one.
	LocalIP   netip.Addr
	LocalPort uint16
	// RemoteIP and RemotePort are the other endpoint.
	RemoteIP   netip.Addr
	RemotePort uint16
}

// Flow is the signed packet lengths of one flow in packet order: negative
// for incoming packets (destination address private), positive for
// outgoing ones.
type Flow struct {
	Key     FlowKey
	Lengths []float64
}

// Options tune flow extraction.
type Options struct {
	// BurstGap is the burst threshold in seconds; 0 means DefaultBurstGap.
	BurstGap float64
	// Strict makes PcapFlows fail where the reference extractor R1
	// crashes: on a TCP packet without an IPv4 header ("Layer ['IP'] not
	// found") and on an empty burst ("index 0 is out of bounds"). Without
	// it such packets are skipped and empty bursts ignored, as the
	// specification prescribes (R2's behaviour).
	Strict bool
}

func (o Options) gap() (float64, error) {
	g := o.BurstGap
	if g == 0 {
		g = DefaultBurstGap
	}
	if !(g > 0) || math.IsInf(g, 0) {
		return 0, fmt.Errorf("appscanner: burst gap %v s: must be a positive number of seconds", o.BurstGap)
	}
	return g, nil
}

// Errors of strict extraction; both wrap datasets.ErrMalformed so that
// callers treat them as unusable input.
var (
	// ErrNoIPv4 reports a TCP packet without an IPv4 header.
	ErrNoIPv4 = fmt.Errorf("TCP packet without an IPv4 header: %w", datasets.ErrMalformed)
	// ErrEmptyBurst reports a burst left empty by dropping the first packet.
	ErrEmptyBurst = fmt.Errorf("empty burst: %w", datasets.ErrMalformed)
)

// seconds converts a nanosecond timestamp to the float64 nearest to its
// exact decimal value, as float(Decimal) does in Python (a plain
// float64(ns)/1e9 may round twice).
func seconds(ns int64) float64 {
	neg := ns < 0
	u := uint64(ns)
	if neg {
		u = uint64(-ns)
	}
	b := make([]byte, 0, 32)
	if neg {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, u/1e9, 10)
	b = append(b, '.')
	frac := strconv.AppendUint(nil, u%1e9+1e9, 10) // leading 1 keeps the zeros
	b = append(b, frac[1:]...)
	v, _ := strconv.ParseFloat(string(b), 64)
	return v
}

// pkt is a packet as the extractor sees it.
type pkt struct {
	t        float64 // seconds (nearest float64)
	ns       int64
	src, dst netip.Addr
	sp, dp   uint16
	length   float64
	frame    int64
	index    int // position in the input
}

// PcapFlows extracts flows from the packets of a capture with the
// semantics of R1 (Thijsvanede/AppScanner, pcap input): only TCP packets
// over IPv4 are used, their length is the IPv4 total length (Packet.IPLen),
// they are sorted by time (stable, so ties keep capture order; NumPy's
// unstable sort may order equal timestamps differently), and bursts are cut
// where the float64 difference of consecutive timestamps in seconds exceeds
// the gap. The first packet is dropped (reference quirk).
//
// Where R1 crashes (a TCP packet over IPv6; an empty burst, i.e. a single
// usable packet or a first gap right after packet 0), Options.Strict gives
// an error wrapping ErrNoIPv4 or ErrEmptyBurst. The default instead skips
// non-IPv4 packets and empty bursts (R2's behaviour, which the
// specification adopts): it returns the flows of the other bursts, an
// empty slice for an input with fewer than two usable packets, and never
// an error for valid options.
func PcapFlows(pkts []datasets.Packet, opt Options) ([]Flow, error) {
	gap, err := opt.gap()
	if err != nil {
		return nil, err
	}
	ps := make([]pkt, 0, len(pkts))
	for i := range pkts {
		p := &pkts[i]
		if p.Proto != datasets.TCP {
			continue
		}
		if !p.Src.Is4() || !p.Dst.Is4() {
			if opt.Strict {
				return nil, fmt.Errorf("appscanner: packet %d (frame %d): %w", i, p.Frame, ErrNoIPv4)
			}
			continue
		}
		ps = append(ps, pkt{t: seconds(p.Time), ns: p.Time, src: p.Src, dst: p.Dst, sp: p.SrcPort, dp: p.DstPort,
			length: float64(p.IPLen), frame: p.Frame, index: i})
	}
	slices.SortStableFunc(ps, func(a, b pkt) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
	cut := func(i int) bool { return ps[i+1].t-ps[i].t > gap }
	return flows(ps, cut, opt.Strict)
}

// csvSkipPorts are the ports whose packets R2 drops (DNS, mDNS,
// NetBIOS-NS, DHCP, LLMNR), on either side.
var csvSkipPorts = [...]uint16{53, 5353, 137, 67, 68, 5355}

// CSVFlows extracts flows from the rows of a MAppGraph packet CSV with the
// semantics of R2 (soeai/mappgraph enhanced_appscanner): rows with a DNS,
// mDNS, NetBIOS-NS, DHCP or LLMNR port on either side are dropped, every
// protocol is kept, rows stay in file order (no sort), the length is the
// CSV's length column (Packet.IPLen), and bursts are cut where consecutive
// timestamps differ by more than the gap, compared exactly on the
// nanosecond timestamps (R2 compares Python Decimals). The first packet is
// dropped (reference quirk) and empty bursts are skipped. A chunk with no
// usable packet gives an empty slice.
func CSVFlows(pkts []datasets.Packet, opt Options) ([]Flow, error) {
	gap, err := opt.gap()
	if err != nil {
		return nil, err
	}
	gapNS := gap * 1e9
	ps := make([]pkt, 0, len(pkts))
next:
	for i := range pkts {
		p := &pkts[i]
		for _, port := range csvSkipPorts {
			if p.SrcPort == port || p.DstPort == port {
				continue next
			}
		}
		ps = append(ps, pkt{ns: p.Time, src: p.Src, dst: p.Dst, sp: p.SrcPort, dp: p.DstPort,
			length: float64(p.IPLen), frame: p.Frame, index: i})
	}
	cut := func(i int) bool { return float64(ps[i+1].ns-ps[i].ns) > gapNS }
	return flows(ps, cut, false)
}

// flows splits ps into bursts where cut(i) says that i and i+1 are apart,
// drops packet 0, and groups each burst's packets by flow key.
func flows(ps []pkt, cut func(i int) bool, strict bool) ([]Flow, error) {
	if len(ps) == 0 {
		return []Flow{}, nil
	}
	var out []Flow
	where := make(map[FlowKey]int)
	local := make(map[FlowKey]int)
	var burst []Flow
	// The reference slices bursts as ps[a+1 : b+1] for consecutive a, b
	// in [0] + cuts + [n]: the first burst starts at 1 and packet 0 is
	// never used.
	start := 0
	emit := func(lo, hi int) error { // packets lo..hi-1
		if lo >= hi {
			if strict {
				return fmt.Errorf("appscanner: burst ending at packet %d (input position %d): %w", hi, ps[min(hi, len(ps)-1)].index, ErrEmptyBurst)
			}
			return nil
		}
		clear(local)
		burst = burst[:0]
		T := seconds(ps[lo].ns)
		for _, p := range ps[lo:hi] {
			k, in := key(T, &p)
			v := p.length
			if in {
				v = -v
			}
			j, ok := local[k]
			if !ok {
				j = len(burst)
				local[k] = j
				burst = append(burst, Flow{Key: k})
			}
			burst[j].Lengths = append(burst[j].Lengths, v)
		}
		// dict.update: a key seen in an earlier burst keeps its place and
		// takes the new values.
		for _, f := range burst {
			if j, ok := where[f.Key]; ok {
				out[j].Lengths = f.Lengths
				continue
			}
			where[f.Key] = len(out)
			out = append(out, f)
		}
		return nil
	}
	for i := 0; i+1 < len(ps); i++ {
		if cut(i) {
			if err := emit(start+1, i+1); err != nil {
				return nil, err
			}
			start = i
		}
	}
	if err := emit(start+1, len(ps)); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Flow{}
	}
	return out, nil
}

// key returns the flow key of p in the burst starting at T and whether p
// is incoming (its destination is private).
func key(T float64, p *pkt) (FlowKey, bool) {
	if IsPrivate(p.dst) {
		return FlowKey{BurstTime: T, LocalIP: p.dst, LocalPort: p.dp, RemoteIP: p.src, RemotePort: p.sp}, true
	}
	return FlowKey{BurstTime: T, LocalIP: p.src, LocalPort: p.sp, RemoteIP: p.dst, RemotePort: p.dp}, false
}

// Features returns the rows × NumFeatures row-major feature matrix of
// flows.
func Features(flows []Flow) []float64 {
	X := make([]float64, len(flows)*NumFeatures)
	for i, f := range flows {
		FlowFeatures(f.Lengths, X[i*NumFeatures:(i+1)*NumFeatures])
	}
	return X
}
