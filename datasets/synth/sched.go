package synth

import "appbench/datasets"

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
