package baseline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"

	"appbench/datasets"
	"appbench/internal/workpool"
	"appbench/methods"
)

func init() { methods.Register("destination-set", NewDestinationSet) }

// DestinationSetParams are the parameters of "destination-set".
type DestinationSetParams struct {
	// K is the number of nearest training samples that vote (default 3).
	K int `yaml:"k" json:"k"`
	// ServiceOnly keeps only the service side of each packet: of its two
	// endpoints, the one with the smaller port (the destination on equal
	// ports), so that a conversation contributes the server's (IP, port)
	// whichever direction a packet goes. When false, the set holds the
	// destination (IP, port) of every packet, client endpoints of replies
	// included. Default true. Graph samples always use their nodes, which
	// are service destinations already.
	ServiceOnly bool `yaml:"service_only" json:"service_only"`
	// UnknownThreshold is the open-world rule: a sample whose best Jaccard
	// similarity to any training sample is below it is reported Unknown
	// (default 0.1, FlowPrint's detection threshold).
	UnknownThreshold float64 `yaml:"unknown_threshold" json:"unknown_threshold"`
}

// DefaultDestinationSetParams returns the defaults documented on
// DestinationSetParams.
func DefaultDestinationSetParams() DestinationSetParams {
	return DestinationSetParams{K: 3, ServiceOnly: true, UnknownThreshold: 0.1}
}

// DestinationSet is a Jaccard k-nearest-neighbours classifier on the set of
// (IP, port) destinations of a sample.
//
// Prediction: the K training samples most similar to the test sample (ties
// by training order) vote, one vote each; the label with most votes wins,
// ties go to the larger summed similarity, then to the label that sorts
// first. Score is the winner's summed similarity divided by K. When no
// training sample shares a destination with the test sample, the answer is
// the most frequent training label with score 0.
type DestinationSet struct {
	p       DestinationSetParams
	workers int

	ids      map[netip.AddrPort]int32 // destination -> dense id
	sets     [][]int32                // per training sample, sorted ids
	labels   []string                 // per training sample
	postings [][]int32                // destination id -> training samples
	fallback string
}

// Validate returns a *methods.ParamError for the first bad parameter.
func (p DestinationSetParams) Validate() error {
	switch {
	case p.K < 1:
		return methods.NewParamError("destination-set", "k", "must be at least 1", p.K)
	case !(p.UnknownThreshold >= 0 && p.UnknownThreshold <= 1):
		return methods.NewParamError("destination-set", "unknown_threshold", "must be in [0, 1]", p.UnknownThreshold)
	}
	return nil
}

// NewDestinationSet is the Factory of "destination-set".
func NewDestinationSet(cfg methods.Config) (methods.Method, error) {
	p := DefaultDestinationSetParams()
	if err := cfg.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &DestinationSet{p: p, workers: cfg.Workers}, nil
}

// Name returns "destination-set".
func (d *DestinationSet) Name() string { return "destination-set" }

// Inputs reports that the method accepts packets and graphs.
func (d *DestinationSet) Inputs() methods.Input { return methods.Packets | methods.Graphs }

// DetectsUnknown reports true: predictions below UnknownThreshold are
// marked Unknown.
func (d *DestinationSet) DetectsUnknown() bool { return true }

// Destinations returns the destination set of a sample as the method sees
// it with the given service-only rule, in first-appearance order.
func Destinations(s *methods.Sample, serviceOnly bool) ([]netip.AddrPort, error) {
	seen := make(map[netip.AddrPort]bool)
	var out []netip.AddrPort
	add := func(ap netip.AddrPort) {
		if !seen[ap] {
			seen[ap] = true
			out = append(out, ap)
		}
	}
	if s.Graph != nil && s.Packets == nil {
		for i, n := range s.Graph.Nodes {
			a, err := netip.ParseAddr(n.IP)
			if err != nil {
				return nil, fmt.Errorf("destination-set: graph %d of %q, node %d: %w", s.Graph.ID, s.Graph.App, i, err)
			}
			if n.Port < 0 || n.Port > 65535 {
				return nil, fmt.Errorf("destination-set: graph %d of %q, node %d: port %d out of range", s.Graph.ID, s.Graph.App, i, n.Port)
			}
			add(netip.AddrPortFrom(a, uint16(n.Port)))
		}
		return out, nil
	}
	for i := range s.Packets {
		add(destination(&s.Packets[i], serviceOnly))
	}
	return out, nil
}

func destination(p *datasets.Packet, serviceOnly bool) netip.AddrPort {
	if serviceOnly && p.SrcPort < p.DstPort {
		return netip.AddrPortFrom(p.Src, p.SrcPort)
	}
	return netip.AddrPortFrom(p.Dst, p.DstPort)
}

// Fit indexes the destination sets of the training samples (FitVia).
func (d *DestinationSet) Fit(ctx context.Context, train []methods.Sample) error {
	return methods.FitVia(ctx, d, train, d.workers)
}

// FitFeatures indexes the destination sets of the training samples.
func (d *DestinationSet) FitFeatures(ctx context.Context, train []methods.Encoded) error {
	if len(train) == 0 {
		return fmt.Errorf("destination-set: no training samples")
	}
	d.ids = make(map[netip.AddrPort]int32)
	d.sets = make([][]int32, len(train))
	d.labels = make([]string, len(train))
	for i := range train {
		if err := ctxEvery(ctx, i); err != nil {
			return err
		}
		dst, err := decodeAt("training", i, &train[i])
		if err != nil {
			return err
		}
		set := make([]int32, len(dst))
		for j, ap := range dst {
			id, ok := d.ids[ap]
			if !ok {
				id = int32(len(d.ids))
				d.ids[ap] = id
			}
			set[j] = id
		}
		slices.Sort(set)
		d.sets[i] = set
		d.labels[i] = train[i].Label
	}
	d.index()
	return nil
}

// index builds the postings and the fallback label from sets and labels.
func (d *DestinationSet) index() {
	d.postings = make([][]int32, len(d.ids))
	for i, set := range d.sets {
		for _, id := range set {
			d.postings[id] = append(d.postings[id], int32(i))
		}
	}
	counts := make(map[string]int)
	for _, l := range d.labels {
		counts[l]++
	}
	d.fallback = ""
	for l, c := range counts {
		if d.fallback == "" || c > counts[d.fallback] || (c == counts[d.fallback] && l < d.fallback) {
			d.fallback = l
		}
	}
}

// Predict classifies each test sample by its nearest training samples
// (PredictVia).
func (d *DestinationSet) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return methods.PredictVia(ctx, d, test, d.workers)
}

// PredictFeatures classifies each encoded test sample by its nearest
// training samples, on up to the configured number of workers.
func (d *DestinationSet) PredictFeatures(ctx context.Context, test []methods.Encoded) ([]methods.Prediction, error) {
	if d.sets == nil {
		return nil, fmt.Errorf("destination-set: Predict before Fit")
	}
	out := make([]methods.Prediction, len(test))
	per := (len(test) + d.workers - 1) / d.workers
	err := workpool.Run(ctx, d.workers, d.workers, func(ctx context.Context, w int) error {
		counts := make([]int32, len(d.sets))
		for i := w * per; i < min((w+1)*per, len(test)); i++ {
			if err := ctxEvery(ctx, i-w*per); err != nil {
				return err
			}
			dst, err := decodeAt("test", i, &test[i])
			if err != nil {
				return err
			}
			out[i] = d.predictOne(dst, counts)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type neighbour struct {
	idx int32
	sim float64
}

// before reports whether a is a nearer neighbour than b: a larger
// similarity, on equal similarity the earlier training sample.
func (a neighbour) before(b neighbour) bool {
	return a.sim > b.sim || (a.sim == b.sim && a.idx < b.idx)
}

// nearest keeps the k nearest neighbours seen so far, nearest first: a
// selection over the touched training samples that costs O(k) per
// candidate instead of sorting them all.
type nearest struct {
	k  int
	nb []neighbour
}

// offer considers n.
func (s *nearest) offer(n neighbour) {
	if len(s.nb) == s.k && !n.before(s.nb[len(s.nb)-1]) {
		return
	}
	if len(s.nb) < s.k {
		s.nb = append(s.nb, n)
	} else {
		s.nb[len(s.nb)-1] = n
	}
	for i := len(s.nb) - 1; i > 0 && s.nb[i].before(s.nb[i-1]); i-- {
		s.nb[i], s.nb[i-1] = s.nb[i-1], s.nb[i]
	}
}

// predictOne answers for one destination set; counts is a zeroed scratch
// array of one counter per training sample, left zeroed on return.
func (d *DestinationSet) predictOne(dst []netip.AddrPort, counts []int32) methods.Prediction {
	var touched []int32
	for _, ap := range dst {
		id, ok := d.ids[ap]
		if !ok {
			continue
		}
		for _, t := range d.postings[id] {
			if counts[t] == 0 {
				touched = append(touched, t)
			}
			counts[t]++
		}
	}
	if len(touched) == 0 {
		return methods.Prediction{Label: d.fallback, Score: 0, Unknown: d.p.UnknownThreshold > 0}
	}
	top := nearest{k: d.p.K, nb: make([]neighbour, 0, d.p.K)}
	for _, t := range touched {
		inter := float64(counts[t])
		top.offer(neighbour{t, inter / (float64(len(dst)) + float64(len(d.sets[t])) - inter)})
		counts[t] = 0
	}
	return d.vote(top.nb)
}

// vote returns the prediction of the nearest neighbours nb, nearest
// first: the label with most votes, ties to the larger summed similarity,
// then to the label that sorts first.
func (d *DestinationSet) vote(nb []neighbour) methods.Prediction {
	votes := make(map[string]int, len(nb))
	sums := make(map[string]float64, len(nb))
	var win string
	for _, n := range nb {
		l := d.labels[n.idx]
		votes[l]++
		sums[l] += n.sim
	}
	for l := range votes {
		if win == "" || votes[l] > votes[win] ||
			(votes[l] == votes[win] && (sums[l] > sums[win] || (sums[l] == sums[win] && l < win))) {
			win = l
		}
	}
	return methods.Prediction{
		Label:   win,
		Score:   sums[win] / float64(d.p.K),
		Unknown: nb[0].sim < d.p.UnknownThreshold,
	}
}

type destSetModel struct {
	Version int                  `json:"version"`
	Params  DestinationSetParams `json:"params"`
	// Destinations lists the destinations by dense id.
	Destinations []string  `json:"destinations"`
	Sets         [][]int32 `json:"sets"`
	Labels       []string  `json:"labels"`
}

// Save writes the fitted model as JSON.
func (d *DestinationSet) Save(w io.Writer) error {
	if d.sets == nil {
		return fmt.Errorf("destination-set: Save before Fit")
	}
	m := destSetModel{Version: 1, Params: d.p, Sets: d.sets, Labels: d.labels,
		Destinations: make([]string, len(d.ids))}
	for ap, id := range d.ids {
		m.Destinations[id] = ap.String()
	}
	return json.NewEncoder(w).Encode(&m)
}

// Load reads a model written by Save. The loaded model keeps the saved
// parameters.
func (d *DestinationSet) Load(r io.Reader) error {
	var m destSetModel
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return fmt.Errorf("destination-set: load: %w", err)
	}
	if m.Version != 1 || len(m.Sets) != len(m.Labels) || len(m.Sets) == 0 {
		return fmt.Errorf("destination-set: load: unsupported or empty model (version %d)", m.Version)
	}
	ids := make(map[netip.AddrPort]int32, len(m.Destinations))
	for i, s := range m.Destinations {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return fmt.Errorf("destination-set: load: destination %d: %w", i, err)
		}
		ids[ap] = int32(i)
	}
	for i, set := range m.Sets {
		for _, id := range set {
			if id < 0 || int(id) >= len(ids) {
				return fmt.Errorf("destination-set: load: sample %d: destination id %d out of range", i, id)
			}
		}
	}
	d.p, d.ids, d.sets, d.labels = m.Params, ids, m.Sets, m.Labels
	d.index()
	return nil
}
