package synth

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"slices"
	"time"

	"appbench/datasets"
)

// TCP flag bits.
const (
	fFIN = 0x01
	fSYN = 0x02
	fRST = 0x04
	fPSH = 0x08
	fACK = 0x10
)

// TCP option layouts.
const (
	optTS  = iota // NOP, NOP, timestamps
	optSYN        // MSS, SACK permitted, timestamps, NOP, window scale
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

// node is the scheduling state shared by every actor: a time-ordered queue
// of frames to emit and an optional timer.
type node struct {
	hidx  int
	order uint64
	key   int64
	q     []pkt
	qh    int
	timer int64 // 0: none
}

func (n *node) base() *node { return n }

// due is the time of the actor's next event.
func (n *node) due() (int64, bool) {
	if n.qh < len(n.q) {
		t := n.q[n.qh].t
		if n.timer != 0 && n.timer < t {
			return n.timer, true
		}
		return t, true
	}
	return n.timer, n.timer != 0
}

// actor is anything that emits frames or acts at given times.
type actor interface {
	base() *node
	// onTimer runs when the actor's timer is due; it must clear or move
	// the timer.
	onTimer(g *gen, t int64)
}

// convKey identifies a conversation (tshark's tcp.stream / udp.stream).
type convKey struct {
	proto        datasets.Protocol
	cip, sip     netip.Addr
	cport, sport uint16
}

// dnsEntry is a cached resolution.
type dnsEntry struct {
	addr    netip.Addr
	ready   int64
	expires int64
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
	// Client network.
	switch r.IntN(3) {
	case 0:
		g.client4 = netip.AddrFrom4([4]byte{192, 168, []byte{0, 1, 43, 100}[r.IntN(4)], byte(2 + r.IntN(250))})
		g.gateway = netip.AddrFrom4([4]byte{192, 168, g.client4.As4()[2], 1})
	case 1:
		g.client4 = netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), byte(2 + r.IntN(250))})
		a := g.client4.As4()
		g.gateway = netip.AddrFrom4([4]byte{10, a[1], a[2], 1})
	default:
		g.client4 = netip.AddrFrom4([4]byte{172, byte(16 + r.IntN(16)), byte(r.IntN(256)), byte(2 + r.IntN(250))})
		a := g.client4.As4()
		g.gateway = netip.AddrFrom4([4]byte{172, a[1], a[2], 1})
	}
	g.resolver = g.gateway
	var b6 [16]byte
	b6[0], b6[1] = 0x2a, 0x02
	for i := 2; i < 16; i++ {
		b6[i] = byte(r.IntN(256))
	}
	b6[6], b6[7] = 0, byte(r.IntN(16))
	g.client6 = netip.AddrFrom16(b6)
	g.v6 = r.Float64() < cfg.IPv6Captures
	g.cmac = randMAC(r)
	g.gmac = randMAC(r)
	g.bwDown = uni(r.Rand, 3, 60) * 1e6 / 8 / 1e9
	g.bwUp = uni(r.Rand, 1, 15) * 1e6 / 8 / 1e9
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

// --- heap of actors, ordered by (due time, creation order) ---

func (g *gen) less(i, j int) bool {
	a, b := g.h[i].base(), g.h[j].base()
	if a.key != b.key {
		return a.key < b.key
	}
	return a.order < b.order
}

func (g *gen) swap(i, j int) {
	g.h[i], g.h[j] = g.h[j], g.h[i]
	g.h[i].base().hidx = i
	g.h[j].base().hidx = j
}

func (g *gen) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !g.less(i, p) {
			break
		}
		g.swap(i, p)
		i = p
	}
}

func (g *gen) down(i int) {
	n := len(g.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && g.less(r, l) {
			m = r
		}
		if !g.less(m, i) {
			return
		}
		g.swap(i, m)
		i = m
	}
}

// add registers a new actor.
func (g *gen) add(a actor) {
	n := a.base()
	n.order = g.order
	g.order++
	n.hidx = -1
	g.fix(a)
}

// fix re-keys a after its queue or timer changed.
func (g *gen) fix(a actor) {
	n := a.base()
	t, ok := n.due()
	if !ok {
		if n.hidx >= 0 {
			i := n.hidx
			last := len(g.h) - 1
			if i != last {
				g.swap(i, last)
			}
			g.h = g.h[:last]
			n.hidx = -1
			if i != last {
				g.down(i)
				g.up(i)
			}
		}
		return
	}
	n.key = t
	if n.hidx < 0 {
		n.hidx = len(g.h)
		g.h = append(g.h, a)
		g.up(n.hidx)
		return
	}
	g.down(n.hidx)
	g.up(n.hidx)
}

// next returns the next frame of the capture, or nil at its end. The frame
// is valid until the next call.
func (g *gen) next() *pkt {
	for !g.done && len(g.h) > 0 {
		a := g.h[0]
		n := a.base()
		t := n.key
		if t > g.tEnd {
			break
		}
		g.now = t
		if n.qh < len(n.q) && (n.timer == 0 || n.q[n.qh].t <= n.timer) {
			g.cur = n.q[n.qh]
			n.q[n.qh] = pkt{}
			n.qh++
			if n.qh == len(n.q) {
				n.q, n.qh = n.q[:0], 0
			} else if n.qh >= 256 && n.qh*2 >= len(n.q) {
				k := copy(n.q, n.q[n.qh:])
				clear(n.q[k:])
				n.q, n.qh = n.q[:k], 0
			}
			g.fix(a)
			g.frame++
			if c := g.cur.c; c != nil && c.stream < 0 {
				i := 0
				if c.proto == datasets.UDP {
					i = 1
				}
				c.stream = g.streams[i]
				g.streams[i]++
			}
			return &g.cur
		}
		a.onTimer(g, t)
		g.fix(a)
	}
	g.done = true
	return nil
}

// --- connections ---

// conn is a TCP or UDP conversation between the client and a service.
type conn struct {
	node
	proto    datasets.Protocol
	d        *dest
	v6       bool
	cip, sip netip.Addr
	cport    uint16
	sport    uint16
	ips      [2]net.IP // client, server addresses for serialisation
	stream   int64
	start    int64
	seq      [2]uint32
	tsBase   [2]uint32
	ipid     [2]uint16
	win      [2]uint16
	mss      int
	rtt      int64
	cwnd     int
	pend     [2]int64
	last     int64
	mark     int // queue length before the exchange being built
	closed   bool
	tls13    bool
	dcid     [8]byte
	scid     [8]byte
}

func (c *conn) onTimer(g *gen, t int64) {
	c.timer = 0
	if !c.closed && c.proto == datasets.TCP {
		g.closeConn(c, t, g.r.IntN(3) == 0)
	}
}

// newConn allocates the client port of a new conversation with addr:port.
func (g *gen) newConn(proto datasets.Protocol, d *dest, addr netip.Addr, port uint16) *conn {
	c := &conn{proto: proto, d: d, sip: addr, sport: port, stream: -1}
	c.v6 = addr.Is6()
	c.cip = g.client4
	if c.v6 {
		c.cip = g.client6
	}
	for try := 0; ; try++ {
		p := uint16(g.nextPort)
		g.nextPort += 1 + g.r.IntN(3)
		if g.nextPort > 60999 {
			g.nextPort -= 60999 - 32768
		}
		k := convKey{proto, c.cip, c.sip, p, port}
		// Every ephemeral port already talked to this server: reuse one
		// (only possible with tens of thousands of connections to one
		// address; stream numbers then follow the first conversation).
		if !g.used[k] || try > 60999-32768 {
			g.used[k] = true
			c.cport = p
			break
		}
	}
	c.ips[cli] = c.cip.AsSlice()
	c.ips[srv] = c.sip.AsSlice()
	r := g.r
	rtt, smss := 8.0, 1460 // the local resolver
	if d != nil {
		rtt, smss = d.rtt, d.mss
	}
	c.rtt = int64(rtt * uni(r.Rand, 0.85, 1.3) * 1e6)
	c.ipid = [2]uint16{uint16(r.IntN(65536)), uint16(r.IntN(65536))}
	c.tsBase = [2]uint32{r.Uint32(), r.Uint32()}
	c.seq = [2]uint32{r.Uint32(), r.Uint32()}
	c.win = [2]uint16{uint16(1000 + r.IntN(2000)), uint16(200 + r.IntN(800))}
	cmss := 1460
	if c.v6 {
		cmss = 1440
	}
	c.mss = min(cmss, smss) - 12
	c.cwnd = 10
	g.add(c)
	return c
}

// addPkt queues a frame on c at time t from side s.
func (g *gen) addPkt(c *conn, t int64, s int, flags uint8, payload []byte, seq, ack uint32) *pkt {
	t = g.quant(t)
	c.q = append(c.q, pkt{t: t, c: c, dir: uint8(s), flags: flags, seq: seq, ack: ack, payload: payload, win: c.win[s]})
	p := &c.q[len(c.q)-1]
	c.ipid[s]++
	p.ipid = c.ipid[s]
	if c.proto == datasets.TCP {
		el := t - c.start
		if el < 0 {
			el = 0
		}
		p.tsval = c.tsBase[s] + uint32(el/1e6)
		peer := el
		if s == srv {
			peer -= c.rtt
		}
		if peer < 0 {
			peer = 0
		}
		if flags&fSYN == 0 || s == srv {
			p.tsecr = c.tsBase[1-s] + uint32(peer/1e6)
		}
		if flags&fSYN != 0 {
			p.opt = optSYN
			p.win = 65535
		}
	}
	if t > c.last {
		c.last = t
	}
	return p
}

// begin starts building an exchange on c: frames queued until finish are
// sorted by time then.
func (g *gen) begin(c *conn) { c.mark = len(c.q) }

// finish sorts the frames of the exchange and reschedules c.
func (g *gen) finish(c *conn) {
	part := c.q[c.mark:]
	if c.mark < c.qh {
		part = c.q[c.qh:]
	}
	slices.SortStableFunc(part, func(a, b pkt) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
	g.fix(c)
}

// ackDelay is how long after a segment passes the capture point its
// receiver's ACK passes it.
func (g *gen) ackDelay(c *conn, receiver int) int64 {
	if receiver == cli {
		return int64(uni(g.r.Rand, 40e3, 150e3))
	}
	// Exactly one round trip: an ACK of the server never passes the
	// capture point after the server's next data segment.
	return c.rtt
}

// flushPend sends side s's pending delayed ACK if it is due before t, and
// drops it otherwise (the next segment of s carries the acknowledgement).
func (g *gen) flushPend(c *conn, s int, t int64) {
	if c.pend[s] != 0 {
		if c.pend[s] < t {
			g.addPkt(c, c.pend[s], s, fACK, nil, c.seq[s], c.seq[1-s])
		}
		c.pend[s] = 0
	}
}

// sendData queues m from side s, starting at t (capture time of the first
// segment), with its receiver's ACKs; it returns the time of the last
// segment.
func (g *gen) sendData(c *conn, t int64, s int, m msg) int64 {
	rcv := 1 - s
	g.flushPend(c, s, t)
	bw := g.bwDown
	if s == cli {
		bw = g.bwUp
	}
	ts, flight, inFlight, unacked := t, t, 0, 0
	last := t
	for off := 0; off < len(m.b); {
		k := min(c.mss, len(m.b)-off)
		if inFlight == c.cwnd {
			ts = max(ts, flight+c.rtt)
			flight, inFlight = ts, 0
			c.cwnd = min(2*c.cwnd, 90)
		}
		flags := uint8(fACK)
		if off+k == len(m.b) {
			flags |= fPSH
		}
		p := g.addPkt(c, ts, s, flags, m.b[off:off+k], c.seq[s], c.seq[rcv])
		if m.sniEnd > off && m.sniEnd <= off+k {
			p.sni = m.sni
		}
		if m.certEnd > off && m.certEnd <= off+k {
			p.cert = m.cert
		}
		c.seq[s] += uint32(k)
		off += k
		inFlight++
		unacked++
		last = ts
		if unacked == 2 {
			g.addPkt(c, ts+g.ackDelay(c, rcv), rcv, fACK, nil, c.seq[rcv], c.seq[s])
			unacked = 0
		}
		ts += int64(float64(k+66)/bw) + 1000
	}
	if unacked > 0 {
		c.pend[rcv] = last + g.ackDelay(c, rcv) + 40e6
	}
	return last
}

// settle flushes pending ACKs at the end of an exchange.
func (g *gen) settle(c *conn) {
	for s := 0; s < 2; s++ {
		g.flushPend(c, s, math.MaxInt64)
	}
}

// --- DNS ---

// resolve returns the address of d used at time t and when it is known,
// queueing a DNS exchange when the cache has no fresh entry.
func (g *gen) resolve(d *dest, t int64) (netip.Addr, int64) {
	if e, ok := g.dns[d]; ok && e.expires > t {
		return e.addr, max(t, e.ready)
	}
	r := g.r
	addrs := d.v4
	qtype := uint16(1)
	if len(d.v6) > 0 && g.v6 {
		addrs, qtype = d.v6, 28
	}
	if len(addrs) > 2 {
		// A service with many addresses answers from the edge nearest the
		// capture's network: two of its addresses, fixed per capture.
		off, ok := g.edge[d]
		if !ok {
			off = r.IntN(len(addrs))
			g.edge[d] = off
		}
		addrs = []netip.Addr{addrs[off], addrs[(off+1)%len(addrs)]}
	}
	rot := r.IntN(len(addrs))
	answers := make([]netip.Addr, len(addrs))
	for i := range addrs {
		answers[i] = addrs[(i+rot)%len(addrs)]
	}
	c := g.newConn(datasets.UDP, nil, g.resolver, 53)
	id := uint16(r.IntN(65536))
	ttl := uint32(30 + r.IntN(570))
	q := dnsMessage(id, d.host, qtype, nil, 0)
	resp := dnsMessage(id, d.host, qtype, answers, ttl)
	rt := int64(uni(r.Rand, 3, 60) * 1e6)
	g.begin(c)
	g.addPkt(c, t, cli, 0, q, 0, 0)
	g.addPkt(c, t+rt, srv, 0, resp, 0, 0)
	g.finish(c)
	ready := g.quant(t+rt) + int64(uni(r.Rand, 0.2, 2)*1e6)
	g.dns[d] = dnsEntry{addr: answers[0], ready: ready, expires: t + int64(ttl)*1e9}
	return answers[0], ready
}

// --- TCP connections ---

// openTCP opens a connection to d at time t (resolving its name first),
// with its TLS handshake for TLS services. The connection is ready at
// c.last.
func (g *gen) openTCP(d *dest, t int64) *conn {
	addr, t := g.resolve(d, t)
	c := g.newConn(datasets.TCP, d, addr, d.port)
	c.start = t
	c.tls13 = d.tls13
	r := g.r
	g.begin(c)
	g.addPkt(c, t, cli, fSYN, nil, c.seq[cli], 0)
	c.seq[cli]++
	t += c.rtt
	g.addPkt(c, t, srv, fSYN|fACK, nil, c.seq[srv], c.seq[cli])
	c.seq[srv]++
	t += int64(uni(r.Rand, 60e3, 400e3))
	g.addPkt(c, t, cli, fACK, nil, c.seq[cli], c.seq[srv])
	if d.kind == kindTLS {
		t += int64(uni(r.Rand, 100e3, 2e6))
		sid := fill(nil, r, 32)
		// A TLS 1.2 client holding a session ticket for the host usually
		// resumes: the server then sends no certificate.
		ticket := g.tickets[d]
		resume := !c.tls13 && ticket != nil && r.Float64() < 0.7
		if !resume {
			ticket = nil
		}
		ch := clientHello(nil, r, d.host, sid, ticket)
		last := g.sendData(c, t, cli, msg{b: ch, sniEnd: len(ch), sni: d.host})
		t = last + c.rtt + int64(uni(r.Rand, 0.5e6, 8e6))
		switch {
		case resume:
			sh, _ := serverHello12(nil, r, nil, sid, true)
			newTicket := r.IntN(3) == 0
			sh = serverFinish12(sh, r, newTicket)
			last = g.sendData(c, t, srv, msg{b: sh})
			t = last + int64(uni(r.Rand, 0.3e6, 3e6))
			fin := record(nil, recChangeCipherSpec, 0x0303, 1)
			fin = append(fin, 1)
			fin = record(fin, recHandshake, 0x0303, 40)
			fin = fill(fin, r, 40)
			last = g.sendData(c, t, cli, msg{b: fin})
			if newTicket {
				g.tickets[d] = fill(nil, r, 160+r.IntN(64))
			}
		case c.tls13:
			sh := serverHello13(nil, r, d.chain, sid)
			last = g.sendData(c, t, srv, msg{b: sh})
			t = last + int64(uni(r.Rand, 0.3e6, 3e6))
			fin := record(nil, recChangeCipherSpec, 0x0303, 1)
			fin = append(fin, 1)
			fin = appData13(fin, r, 36, 16384)
			last = g.sendData(c, t, cli, msg{b: fin})
			// Session tickets follow the client's Finished.
			t = last + c.rtt
			var nst []byte
			for i := 0; i < 2; i++ {
				nst = appData13(nst, r, 200+r.IntN(60), 16384)
			}
			last = g.sendData(c, t, srv, msg{b: nst})
		default:
			sh, end := serverHello12(nil, r, d.chain, sid, r.IntN(2) == 0)
			last = g.sendData(c, t, srv, msg{b: sh, certEnd: end, cert: d.chain[0]})
			t = last + int64(uni(r.Rand, 0.3e6, 3e6))
			last = g.sendData(c, t, cli, msg{b: clientFinish12(nil, r)})
			t = last + c.rtt + int64(uni(r.Rand, 0.2e6, 2e6))
			newTicket := r.IntN(2) == 0
			last = g.sendData(c, t, srv, msg{b: serverFinish12(nil, r, newTicket)})
			if newTicket {
				g.tickets[d] = fill(nil, r, 160+r.IntN(64))
			}
		}
		c.last = max(c.last, last+int64(uni(r.Rand, 0.1e6, 1e6)))
	}
	g.finish(c)
	g.open[d] = append(g.open[d], c)
	return c
}

// request runs one request/response exchange with d at time t, on an open
// connection or a new one.
func (g *gen) request(d *dest, t int64, p sizes) {
	r := g.r
	var c *conn
	for _, o := range g.open[d] {
		if !o.closed && r.Float64() < d.reuse {
			c = o
			break
		}
	}
	if c == nil {
		c = g.openTCP(d, t)
	}
	req := int(math.Min(logn(r.Rand, p.reqMu, p.reqSigma), 200e3)) + 20
	var resp int
	if r.Float64() < p.bigProb {
		resp = int(math.Min(logn(r.Rand, p.bigMu, p.bigSigma), 4e6))
	} else {
		resp = int(math.Min(logn(r.Rand, p.smallMu, p.smallSigma), 200e3))
	}
	resp += 20
	proc := int64(r.ExpFloat64() * p.procMs * 1e6)
	g.exchange(c, t, req, resp, proc)
}

// exchange queues a request of req bytes and a response of resp bytes on c.
func (g *gen) exchange(c *conn, t int64, req, resp int, proc int64) {
	r := g.r
	t = max(t, c.last+1000)
	g.begin(c)
	var qb, rb []byte
	switch c.d.kind {
	case kindTLS:
		if c.tls13 {
			qb = appData13(nil, r, req, 16384)
			rb = appData13(nil, r, resp, c.d.recSz)
		} else {
			qb = appData12(nil, r, req, 16384)
			rb = appData12(nil, r, resp, c.d.recSz)
		}
	case kindHTTP:
		qb, rb = httpExchange(r, c.d, g.app.userAgent, req, resp)
	default:
		qb = fill(nil, r, req)
		rb = fill(nil, r, resp)
	}
	last := g.sendData(c, t, cli, msg{b: qb})
	last = g.sendData(c, last+c.rtt+proc, srv, msg{b: rb})
	c.last = max(c.last, last)
	g.settle(c)
	c.timer = g.quant(c.last + int64(c.d.idle*1e9))
	g.finish(c)
}

// closeConn closes c at time t: the client (or, when byServer, the server)
// sends a close_notify alert on TLS and a FIN, the peer answers with FIN.
func (g *gen) closeConn(c *conn, t int64, byServer bool) {
	r := g.r
	c.closed = true
	if l := g.open[c.d]; l != nil {
		g.open[c.d] = slices.DeleteFunc(l, func(o *conn) bool { return o == c })
	}
	t = max(t, c.last+1000)
	g.begin(c)
	a, b := cli, srv
	if byServer {
		a, b = srv, cli
	}
	if c.d.kind == kindTLS {
		t = g.sendData(c, t, a, msg{b: alert(nil, r, c.tls13)}) + 1000
	}
	c.pend = [2]int64{} // the FINs carry the acknowledgements
	g.addPkt(c, t, a, fFIN|fACK, nil, c.seq[a], c.seq[b])
	c.seq[a]++
	var dt int64
	if b == srv {
		dt = c.rtt
	} else {
		dt = int64(uni(r.Rand, 0.2e6, 5e6))
	}
	g.addPkt(c, t+dt, b, fFIN|fACK, nil, c.seq[b], c.seq[a])
	c.seq[b]++
	var dt2 int64
	if a == cli {
		dt2 = int64(uni(r.Rand, 40e3, 300e3))
	} else {
		dt2 = c.rtt
	}
	g.addPkt(c, t+dt+dt2, a, fACK, nil, c.seq[a], c.seq[b])
	c.timer = 0
	g.finish(c)
}

// --- drivers ---

// sessionDriver plays the app's usage: sessions of bursts of requests,
// bursts separated by idle gaps longer than a second, sessions by pauses.
type sessionDriver struct {
	node
	left int // bursts left in the current session
}

func (sd *sessionDriver) onTimer(g *gen, t int64) {
	r := g.r
	a := g.app
	if sd.left == 0 {
		sd.left = 1 + int(r.ExpFloat64()*a.burstsMean)
	}
	n := 1 + int(r.ExpFloat64()*(a.reqsMean-1))
	at := t
	for i := 0; i < n; i++ {
		if r.Float64() < g.w.cfg.Overlap && len(a.shared) > 0 {
			d := a.shared[pick(r.Rand, a.sharedW)]
			g.request(d, at, d.prof)
		} else {
			j := pick(r.Rand, a.ownW)
			g.request(a.own[j], at, g.ownP[j])
		}
		at += int64(r.ExpFloat64() * a.spread * 1e9)
	}
	sd.left--
	if sd.left > 0 {
		sd.timer = at + int64((1.2+r.ExpFloat64()*a.gapMean)*1e9)
	} else if r.Float64() < g.w.cfg.LongPauses {
		sd.timer = at + int64(uni(r.Rand, 60, 240)/g.w.cfg.Activity*1e9)
	} else {
		sd.timer = at + int64((5+r.ExpFloat64()*a.pauseMean/g.w.cfg.Activity)*1e9)
	}
}

// arpDriver emits the client's periodic ARP exchange with its gateway.
type arpDriver struct{ node }

func (ad *arpDriver) onTimer(g *gen, t int64) {
	t = g.quant(t)
	ad.q = append(ad.q, pkt{t: t, flags: 1}, pkt{t: g.quant(t + int64(uni(g.r.Rand, 0.5e6, 4e6))), flags: 2})
	ad.timer = t + int64(uni(g.r.Rand, 45, 150)*1e9)
}

// noiseDriver starts background flows unrelated to the app.
type noiseDriver struct{ node }

func (nd *noiseDriver) onTimer(g *gen, t int64) {
	r := g.r
	w := g.w
	switch u := r.Float64(); {
	case u < 0.55:
		g.quicFlow(w.quic[r.IntN(len(w.quic))], t)
	case u < 0.85:
		d := w.system[r.IntN(len(w.system))]
		for i := 1 + r.IntN(3); i > 0; i-- {
			g.request(d, t, d.prof)
		}
	default:
		c := g.openTCP(w.connCheck, t)
		g.exchange(c, t, 0, -1, int64(uni(r.Rand, 5e6, 40e6)))
	}
	nd.timer = t + int64(r.ExpFloat64()/w.cfg.Noise*60e9) + 1
}

// pushDriver keeps a push-service connection with heartbeats and pushed
// messages.
type pushDriver struct {
	node
	c *conn
}

func (pd *pushDriver) onTimer(g *gen, t int64) {
	r := g.r
	d := g.w.push
	if pd.c == nil || pd.c.closed {
		pd.c = g.openTCP(d, t)
		g.exchange(pd.c, t, 40+r.IntN(200), 20+r.IntN(100), int64(uni(r.Rand, 5e6, 50e6)))
		// The channel opens with a version byte and a login message,
		// never with something that looks like a TLS record.
		for i := range pd.c.q {
			if p := &pd.c.q[i]; p.dir == cli && len(p.payload) > 0 {
				p.payload[0] = 41
				break
			}
		}
	} else if r.IntN(2) == 0 {
		g.exchange(pd.c, t, 8+r.IntN(12), 8+r.IntN(12), int64(uni(r.Rand, 1e6, 10e6)))
	} else {
		// Server push: the client's "request" is the acknowledgement message.
		c := pd.c
		g.begin(c)
		t = max(t, c.last+1000)
		last := g.sendData(c, t, srv, msg{b: fill(nil, r, 80+r.IntN(600))})
		last = g.sendData(c, last+int64(uni(r.Rand, 1e6, 20e6)), cli, msg{b: fill(nil, r, 10+r.IntN(30))})
		c.last = max(c.last, last)
		g.settle(c)
		g.finish(c)
	}
	pd.c.timer = 0 // the push channel stays open
	g.fix(pd.c)
	pd.timer = t + int64(uni(r.Rand, 40, 240)*1e9)
}

// quicFlow queues a QUIC-like UDP 443 session with d.
func (g *gen) quicFlow(d *dest, t int64) {
	r := g.r
	addr, t := g.resolve(d, t)
	c := g.newConn(datasets.UDP, d, addr, 443)
	c.start = t
	copy(c.dcid[:], fill(nil, r, 8))
	copy(c.scid[:], fill(nil, r, 8))
	maxPay := 1252
	if c.v6 {
		maxPay = 1232
	}
	g.begin(c)
	g.addPkt(c, t, cli, 0, quicLong(r, 0, c.dcid[:], c.scid[:], 1250-r.IntN(50)), 0, 0)
	t += c.rtt
	g.addPkt(c, t, srv, 0, quicLong(r, 0, c.scid[:], c.dcid[:], 1200+r.IntN(52)), 0, 0)
	t += 60e3
	g.addPkt(c, t, srv, 0, quicLong(r, 2, c.scid[:], c.dcid[:], 300+r.IntN(900)), 0, 0)
	t += int64(uni(r.Rand, 1e6, 5e6))
	g.addPkt(c, t, cli, 0, quicLong(r, 2, c.dcid[:], c.scid[:], 80+r.IntN(100)), 0, 0)
	rounds := 1 + r.IntN(6)
	for i := 0; i < rounds; i++ {
		t += int64(uni(r.Rand, 0.5e6, 3e6))
		g.addPkt(c, t, cli, 0, quicShort(r, c.scid[:], 40+r.IntN(400)), 0, 0)
		t += c.rtt + int64(r.ExpFloat64()*20e6)
		resp := int(math.Min(logn(r.Rand, d.prof.smallMu+0.5, d.prof.smallSigma+0.3), 300e3))
		for n := 0; resp > 0; n++ {
			k := max(min(resp, maxPay), 48)
			g.addPkt(c, t, srv, 0, quicShort(r, nil, k), 0, 0)
			resp -= k
			if n%2 == 1 {
				g.addPkt(c, t+int64(uni(r.Rand, 40e3, 300e3)), cli, 0, quicShort(r, c.scid[:], 30+r.IntN(15)), 0, 0)
			}
			t += int64(float64(k+50)/g.bwDown) + 1000
		}
		t += int64(r.ExpFloat64() * 1.5e9)
	}
	c.last = t
	g.finish(c)
}

// quicLong makes a QUIC long-header packet (0: Initial, 2: Handshake) of n
// bytes with protected payload.
func quicLong(r *rng, typ int, dcid, scid []byte, n int) []byte {
	b := make([]byte, 0, n)
	b = append(b, 0xc0|byte(typ)<<4|3, 0, 0, 0, 1, byte(len(dcid)))
	b = append(b, dcid...)
	b = append(b, byte(len(scid)))
	b = append(b, scid...)
	if typ == 0 {
		b = append(b, 0) // token length
	}
	rest := n - len(b) - 2
	b = append(b, 0x40|byte(rest>>8), byte(rest))
	return fill(b, r, rest)
}

// quicShort makes a QUIC short-header packet of n bytes.
func quicShort(r *rng, dcid []byte, n int) []byte {
	b := make([]byte, 0, n)
	b = append(b, 0x40|byte(r.IntN(64)))
	b = append(b, dcid...)
	return fill(b, r, n-len(b))
}

// httpExchange makes an HTTP/1.1 request of about req bytes and a response
// with a body of resp bytes (resp < 0: 204 No Content).
func httpExchange(r *rng, d *dest, ua string, req, resp int) ([]byte, []byte) {
	var q []byte
	if resp < 0 {
		q = fmt.Appendf(q, "GET /generate_204 HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nConnection: keep-alive\r\nAccept-Encoding: gzip\r\n\r\n", d.host, ua)
		s := fmt.Appendf(nil, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nDate: Mon, 03 Mar 2025 09:00:00 GMT\r\n\r\n")
		return q, s
	}
	path := fmt.Sprintf("/v%d/%s/%08x", 1+r.IntN(3), []string{"items", "feed", "img", "track", "ads", "sync"}[r.IntN(6)], r.Uint32())
	q = fmt.Appendf(q, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n", path, d.host, ua)
	if pad := req - len(q) - 12; pad > 0 {
		q = append(q, "Cookie: c="...)
		for i := 0; i < pad; i++ {
			q = append(q, "abcdefghijklmnopqrstuvwxyz0123456789"[r.IntN(36)])
		}
		q = append(q, "\r\n"...)
	}
	q = append(q, "\r\n"...)
	s := fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nCache-Control: max-age=3600\r\nConnection: keep-alive\r\n\r\n", resp)
	s = fill(s, r, resp)
	return q, s
}
