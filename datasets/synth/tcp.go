package synth

import (
	"math"
	"slices"

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
		g.tlsHandshake(c, t)
	}
	g.finish(c)
	g.open[d] = append(g.open[d], c)
	return c
}

// tlsHandshake queues the TLS handshake of c after the client's ACK of the
// TCP handshake at t: a ClientHello, then a resumed TLS 1.2, a full TLS 1.3
// or a full TLS 1.2 handshake.
func (g *gen) tlsHandshake(c *conn, t int64) {
	r, d := g.r, c.d
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
		last = g.resumed12(c, t, sid)
	case c.tls13:
		last = g.full13(c, t, sid)
	default:
		last = g.full12(c, t, sid)
	}
	c.last = max(c.last, last+int64(uni(r.Rand, 0.1e6, 1e6)))
}

// resumed12 queues the rest of an abbreviated TLS 1.2 handshake from the
// server's flight at t and returns the time of its last segment.
func (g *gen) resumed12(c *conn, t int64, sid []byte) int64 {
	r := g.r
	sh, _ := serverHello12(nil, r, nil, sid, true)
	newTicket := r.IntN(3) == 0
	sh = serverFinish12(sh, r, newTicket)
	last := g.sendData(c, t, srv, msg{b: sh})
	t = last + int64(uni(r.Rand, 0.3e6, 3e6))
	last = g.sendData(c, t, cli, msg{b: finished12(nil, r)})
	if newTicket {
		g.newTicket(c.d)
	}
	return last
}

// full13 queues the rest of a TLS 1.3 handshake from the server's flight at
// t, session tickets included, and returns the time of its last segment.
func (g *gen) full13(c *conn, t int64, sid []byte) int64 {
	r := g.r
	sh := serverHello13(nil, r, c.d.chain, sid)
	last := g.sendData(c, t, srv, msg{b: sh})
	t = last + int64(uni(r.Rand, 0.3e6, 3e6))
	fin := appData13(changeCipherSpec(nil), r, 36, 16384)
	last = g.sendData(c, t, cli, msg{b: fin})
	// Session tickets follow the client's Finished.
	t = last + c.rtt
	var nst []byte
	for i := 0; i < 2; i++ {
		nst = appData13(nst, r, 200+r.IntN(60), 16384)
	}
	return g.sendData(c, t, srv, msg{b: nst})
}

// full12 queues the rest of a full TLS 1.2 handshake from the server's
// first flight at t and returns the time of its last segment.
func (g *gen) full12(c *conn, t int64, sid []byte) int64 {
	r, d := g.r, c.d
	sh, end := serverHello12(nil, r, d.chain, sid, r.IntN(2) == 0)
	last := g.sendData(c, t, srv, msg{b: sh, certEnd: end, cert: d.chain[0]})
	t = last + int64(uni(r.Rand, 0.3e6, 3e6))
	last = g.sendData(c, t, cli, msg{b: clientFinish12(nil, r)})
	t = last + c.rtt + int64(uni(r.Rand, 0.2e6, 2e6))
	newTicket := r.IntN(2) == 0
	last = g.sendData(c, t, srv, msg{b: serverFinish12(nil, r, newTicket)})
	if newTicket {
		g.newTicket(d)
	}
	return last
}

// newTicket stores the session ticket the server of d just issued.
func (g *gen) newTicket(d *dest) {
	g.tickets[d] = fill(nil, g.r, 160+g.r.IntN(64))
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
