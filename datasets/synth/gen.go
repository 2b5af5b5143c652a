package synth

import (
	"math"
	"net"
	"net/netip"
	"time"
)

// Side of a connection.
const (
	cli = 0
	srv = 1
)

// pkt is one frame to emit. c is nil for ARP frames (flags then holds the
// ARP operation).
type pkt struct {
	t            int64
	c            *conn
	dir          uint8
	flags        uint8
	opt          uint8
	win          uint16
	seq, ack     uint32
	tsval, tsecr uint32
	ipid         uint16
	payload      []byte
	cert         []byte
	sni          string
}

// gen generates the frames of one capture in time order, lazily: memory is
// bounded by the open connections, not by the capture length.
type gen struct {
	w          *world
	app        *app
	ownP       []sizes // this capture's profile of each own service of the app
	r          *rng
	micro      bool
	t0, tEnd   int64
	client4    netip.Addr
	client6    netip.Addr
	gateway    netip.Addr
	resolver   netip.Addr
	cmac, gmac net.HardwareAddr
	v6         bool    // the network offers IPv6
	bwDown     float64 // bytes per ns
	bwUp       float64
	h          []actor
	order      uint64
	frame      int64
	streams    [2]int64 // next tcp, udp stream index
	used       map[convKey]bool
	nextPort   int
	dns        map[*dest]dnsEntry
	edge       map[*dest]int    // first address of a service's per-capture edge
	tickets    map[*dest][]byte // TLS 1.2 session tickets held by the client
	open       map[*dest][]*conn
	cur        pkt
	now        int64
	done       bool
}

// newGen prepares capture k (0-based) of app ai.
func newGen(w *world, ai, k int) *gen {
	cfg := w.cfg
	rr := newRand(cfg.Seed, streamCapture, uint64(ai), uint64(k))
	g := &gen{w: w, app: w.apps[ai], micro: !cfg.Nanosecond}
	g.r = newRng(rr)
	r := g.r
	start := cfg.Start.Add(time.Duration(k)*24*time.Hour + time.Duration(ai)*37*time.Minute + time.Duration(r.IntN(1800e6))*time.Microsecond)
	g.t0 = start.UnixNano()
	g.tEnd = g.t0 + int64(cfg.Duration)
	g.now = g.t0
	// Per-capture variation of the app's profiles.
	dReq, dSmall, dBig := 0.12*r.NormFloat64(), 0.15*r.NormFloat64(), 0.2*r.NormFloat64()
	fBig := math.Exp(0.25 * r.NormFloat64())
	for _, p := range g.app.ownP {
		p.reqMu += dReq
		p.smallMu += dSmall
		p.bigMu += dBig
		p.bigProb *= fBig
		g.ownP = append(g.ownP, p)
	}
	g.drawNetwork(cfg.IPv6Captures)
	g.used = make(map[convKey]bool)
	g.dns = make(map[*dest]dnsEntry)
	g.edge = make(map[*dest]int)
	g.tickets = make(map[*dest][]byte)
	g.open = make(map[*dest][]*conn)
	g.nextPort = 32768 + r.IntN(28000)

	// Actors.
	sd := &sessionDriver{}
	sd.timer = g.t0 + int64(logn(r.Rand, math.Log(g.app.sessionFirst), 0.5)*1e9)
	g.add(sd)
	ad := &arpDriver{}
	ad.timer = g.t0 + int64(uni(r.Rand, 0.5, 40)*1e9)
	g.add(ad)
	if cfg.Noise > 0 {
		nd := &noiseDriver{}
		nd.timer = g.t0 + int64(r.ExpFloat64()/cfg.Noise*60e9) + 1
		g.add(nd)
		pd := &pushDriver{}
		pd.timer = g.t0 + int64(uni(r.Rand, 0.2, 20)*1e9)
		g.add(pd)
	}
	return g
}

// drawNetwork draws the capture's client network: private IPv4 address and
// gateway, IPv6 address (used on a fraction ipv6Captures of networks), MAC
// addresses and link speeds.
func (g *gen) drawNetwork(ipv6Captures float64) {
	r := g.r
	switch r.IntN(3) {
	case 0:
		g.client4 = netip.AddrFrom4([4]byte{192, 168, []byte{0, 1, 43, 100}[r.IntN(4)], byte(2 + r.IntN(250))})
	case 1:
		g.client4 = netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), byte(2 + r.IntN(250))})
	default:
		g.client4 = netip.AddrFrom4([4]byte{172, byte(16 + r.IntN(16)), byte(r.IntN(256)), byte(2 + r.IntN(250))})
	}
	// The gateway, which also resolves names, is .1 of the client's /24.
	a := g.client4.As4()
	g.gateway = netip.AddrFrom4([4]byte{a[0], a[1], a[2], 1})
	g.resolver = g.gateway
	var b6 [16]byte
	b6[0], b6[1] = 0x2a, 0x02
	for i := 2; i < 16; i++ {
		b6[i] = byte(r.IntN(256))
	}
	b6[6], b6[7] = 0, byte(r.IntN(16))
	g.client6 = netip.AddrFrom16(b6)
	g.v6 = r.Float64() < ipv6Captures
	g.cmac = randMAC(r)
	g.gmac = randMAC(r)
	g.bwDown = uni(r.Rand, 3, 60) * 1e6 / 8 / 1e9
	g.bwUp = uni(r.Rand, 1, 15) * 1e6 / 8 / 1e9
}

// randMAC draws a unicast, locally administered MAC address.
func randMAC(r *rng) net.HardwareAddr {
	m := make(net.HardwareAddr, 6)
	for i := range m {
		m[i] = byte(r.IntN(256))
	}
	m[0] = m[0]&^1 | 2 // unicast, locally administered
	return m
}

// quant rounds a time to the capture's timestamp resolution.
func (g *gen) quant(t int64) int64 {
	if g.micro {
		return t - t%1000
	}
	return t
}
