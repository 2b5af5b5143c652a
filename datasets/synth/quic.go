package synth

import (
	"math"

	"appbench/datasets"
)

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
