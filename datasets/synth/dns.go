package synth

import (
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"appbench/datasets"
)

// dnsEntry is a cached resolution.
type dnsEntry struct {
	addr    netip.Addr
	ready   int64
	expires int64
}

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

// dnsMessage makes a DNS query (answers == nil) or response for host.
func dnsMessage(id uint16, host string, qtype uint16, answers []netip.Addr, ttl uint32) []byte {
	d := layers.DNS{
		ID: id, RD: true, OpCode: layers.DNSOpCodeQuery,
		Questions: []layers.DNSQuestion{{Name: []byte(host), Type: layers.DNSType(qtype), Class: layers.DNSClassIN}},
	}
	if answers != nil {
		d.QR, d.RA = true, true
		for _, a := range answers {
			d.Answers = append(d.Answers, layers.DNSResourceRecord{
				Name: []byte(host), Type: layers.DNSType(qtype), Class: layers.DNSClassIN, TTL: ttl, IP: a.AsSlice(),
			})
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := d.SerializeTo(buf, gopacket.SerializeOptions{FixLengths: true}); err != nil {
		// Only a host name longer than DNS allows fails, and host names
		// are generated short.
		return nil
	}
	return append([]byte(nil), buf.Bytes()...)
}
