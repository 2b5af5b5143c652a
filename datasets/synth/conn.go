package synth

import (
	"cmp"
	"net"
	"net/netip"
	"slices"

	"appbench/datasets"
)

// convKey identifies a conversation (tshark's tcp.stream / udp.stream).
type convKey struct {
	proto        datasets.Protocol
	cip, sip     netip.Addr
	cport, sport uint16
}

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
	slices.SortStableFunc(part, func(a, b pkt) int { return cmp.Compare(a.t, b.t) })
	g.fix(c)
}
