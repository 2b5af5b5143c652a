package synth

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
