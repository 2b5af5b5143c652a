package flowprint

import (
	"errors"
	"fmt"
	"sync"
)

// DefaultThreshold is the reference's default detection threshold.
const DefaultThreshold = 0.1

// Entry is one fingerprint of a model with its label(s).
type Entry struct {
	Fingerprint Fingerprint
	// Labels holds one label after Fit; after loading JSON it is the union
	// of the labels that the files give to this fingerprint, in order of
	// first appearance (the reference keeps an unordered set and prints its
	// "first" element; here the first loaded label comes first).
	Labels []string
}

// Label returns the entry's first label.
func (e *Entry) Label() string {
	if len(e.Labels) == 0 {
		return ""
	}
	return e.Labels[0]
}

// Model is a trained FlowPrint: an ordered map from fingerprint (by element
// set) to labels (spec §4-§6).
type Model struct {
	// Params are the fingerprinting parameters used by Fit.
	Params Params
	// Threshold is the default detection threshold (0.1).
	Threshold float64
	// BatchIsFloat and WindowIsFloat make WriteJSON print batch and window
	// as floats ("300.0"), as the reference does when they were given on
	// its command line; otherwise integral values print as integers, as
	// the reference's defaults do.
	BatchIsFloat, WindowIsFloat bool

	entries []Entry
	byKey   map[string]int
	mu      sync.Mutex  // guards index
	index   *matchIndex // built on first Match, dropped on change
}

// matchIndex is what Match needs of a model, computed once: the posting
// list of every element, the default entries, and reusable counters.
type matchIndex struct {
	postings        map[Element][]int32 // element -> entries holding it
	common, largest int                 // the DefaultCommon and DefaultLargest entries
	counts          sync.Pool           // *[]int32 of len(entries), all zero
}

// NewModel returns an empty model with the given parameters and the default
// detection threshold.
func NewModel(p Params) *Model {
	return &Model{Params: p, Threshold: DefaultThreshold, byKey: make(map[string]int)}
}

// Entries returns the model's fingerprints in model order (first
// appearance).
func (m *Model) Entries() []Entry { return m.entries }

// Len returns the number of fingerprints.
func (m *Model) Len() int { return len(m.entries) }

// Fit replaces the model's fingerprints by those generated from flows,
// labelled by the majority label of their flows (labels[i] belongs to
// flows[i]; ties go to the label met first in flow order). With nil labels
// every fingerprint gets the label "1", as in the reference.
//
// As in the reference, a fingerprint found several times (for example in
// two batches) keeps the n_flows of the object met first in flow order, and
// the model order is the order of first appearance over the flows. When no
// fingerprint is found at all, every flow has the empty fingerprint and
// the model holds that one fingerprint.
func (m *Model) Fit(flows []Flow, labels []string) error {
	return m.FitSet(Flows(flows), labels)
}

// FitSet is Fit on the flows of a FlowSet.
func (m *Model) FitSet(flows FlowSet, labels []string) error {
	m.entries = nil
	m.byKey = make(map[string]int)
	m.setIndex(nil)
	return m.UpdateSet(flows, labels)
}

// Update adds the fingerprints of flows to the model (the reference's
// update): see Fit.
func (m *Model) Update(flows []Flow, labels []string) error {
	return m.UpdateSet(Flows(flows), labels)
}

// UpdateSet is Update on the flows of a FlowSet.
func (m *Model) UpdateSet(flows FlowSet, labels []string) error {
	if labels != nil && len(labels) != flows.Len() {
		return fmt.Errorf("flowprint: %d labels for %d flows", len(labels), flows.Len())
	}
	res, err := GenerateSet(flows, m.Params)
	if err != nil {
		return err
	}
	return m.addResult(res, labels)
}

func (m *Model) addResult(res *Result, labels []string) error {
	if m.byKey == nil {
		m.byKey = make(map[string]int)
	}
	m.setIndex(nil)
	type counter struct {
		order  []string
		counts map[string]int
	}
	counters := make(map[int]*counter)
	keys := make([]string, len(res.Fingerprints))
	for i, f := range res.Fingerprints {
		keys[i] = f.Key()
	}
	for i, id := range res.Of {
		fp, key := Fingerprint{}, ""
		if id >= 0 {
			fp, key = res.Fingerprints[id], keys[id]
		}
		e, ok := m.byKey[key]
		if !ok {
			e = len(m.entries)
			m.byKey[key] = e
			m.entries = append(m.entries, Entry{Fingerprint: fp})
		}
		label := "1"
		if labels != nil {
			label = labels[i]
		}
		c := counters[e]
		if c == nil {
			c = &counter{counts: make(map[string]int)}
			counters[e] = c
		}
		if c.counts[label] == 0 {
			c.order = append(c.order, label)
		}
		c.counts[label]++
	}
	for e, c := range counters {
		best := ""
		bestN := 0
		for _, l := range c.order {
			if c.counts[l] > bestN {
				best, bestN = l, c.counts[l]
			}
		}
		m.entries[e].Labels = []string{best}
	}
	return nil
}

// RoundTrip returns the model as the reference's JSON save and load give it
// back: every fingerprint without its NoCertificate element, fingerprints
// that then become equal merged with their labels unioned, the same
// parameters and threshold. The enhanced scripts classify with such a
// model.
func (m *Model) RoundTrip() *Model {
	rt := NewModel(m.Params)
	rt.Threshold = m.Threshold
	for _, e := range m.entries {
		rt.Add(e.Fingerprint.WithoutNoCertificate(), e.Labels...)
	}
	return rt
}

// Add adds fingerprint fp with the given labels; labels of a fingerprint
// already present are unioned (the reference's load).
func (m *Model) Add(fp Fingerprint, labels ...string) {
	if m.byKey == nil {
		m.byKey = make(map[string]int)
	}
	m.setIndex(nil)
	key := fp.Key()
	e, ok := m.byKey[key]
	if !ok {
		e = len(m.entries)
		m.byKey[key] = e
		m.entries = append(m.entries, Entry{Fingerprint: fp})
	}
	for _, l := range labels {
		dup := false
		for _, have := range m.entries[e].Labels {
			if have == l {
				dup = true
				break
			}
		}
		if !dup {
			m.entries[e].Labels = append(m.entries[e].Labels, l)
		}
	}
}

// buildIndex builds the match index once; Match may run concurrently on a
// model that is not being changed.
func (m *Model) buildIndex() *matchIndex {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.index != nil {
		return m.index
	}
	ix := &matchIndex{postings: make(map[Element][]int32)}
	for i := range m.entries {
		f := &m.entries[i].Fingerprint
		for _, e := range f.Elements {
			ix.postings[e] = append(ix.postings[e], int32(i))
		}
		if f.NFlows > m.entries[ix.common].Fingerprint.NFlows {
			ix.common = i
		}
		if f.Len() > m.entries[ix.largest].Fingerprint.Len() {
			ix.largest = i
		}
	}
	n := len(m.entries)
	ix.counts.New = func() any { c := make([]int32, n); return &c }
	m.index = ix
	return ix
}

func (m *Model) setIndex(ix *matchIndex) {
	m.mu.Lock()
	m.index = ix
	m.mu.Unlock()
}

// Default selects the fallback of Match when a fingerprint shares no
// element with any training fingerprint.
type Default uint8

const (
	// DefaultCommon is the training fingerprint with most flows (the
	// reference's default "common"; first in model order on ties).
	DefaultCommon Default = iota
	// DefaultLargest is the training fingerprint with most elements.
	DefaultLargest
	// DefaultNone is no match (-1), as detection uses.
	DefaultNone
)

// ErrEmptyModel is returned when matching against a model without
// fingerprints.
var ErrEmptyModel = errors.New("flowprint: the model has no fingerprints")

// Match returns, for each fingerprint, the index of the most similar
// training fingerprint (maximal Jaccard index; any shared element counts,
// there is no similarity threshold) and that score. A fingerprint sharing
// no element gets the default (score computed against it, or -1 and 0 for
// DefaultNone). Ties go to the entry first in model order (the reference
// takes the first of a hash-set iteration). Fingerprints sharing their
// element slice (the flows of one fingerprint, as Result.FlowFingerprints
// gives them) are matched once.
func (m *Model) Match(fps []Fingerprint, def Default) ([]int, []float64, error) {
	if len(m.entries) == 0 {
		return nil, nil, ErrEmptyModel
	}
	ix := m.buildIndex()
	dflt := -1
	switch def {
	case DefaultCommon:
		dflt = ix.common
	case DefaultLargest:
		dflt = ix.largest
	}
	idx := make([]int, len(fps))
	scores := make([]float64, len(fps))
	pc := ix.counts.Get().(*[]int32)
	defer ix.counts.Put(pc) // every counter is back to zero
	counts := *pc
	var touched []int32
	done := make(map[*Element]int) // first element -> position in fps matched already
	for k, f := range fps {
		if len(f.Elements) > 0 {
			first := &f.Elements[0]
			if j, ok := done[first]; ok && len(fps[j].Elements) == len(f.Elements) {
				idx[k], scores[k] = idx[j], scores[j]
				continue
			}
			done[first] = k
		}
		touched = touched[:0]
		for _, e := range f.Elements {
			for _, t := range ix.postings[e] {
				if counts[t] == 0 {
					touched = append(touched, t)
				}
				counts[t]++
			}
		}
		if len(touched) == 0 {
			idx[k] = dflt
			if dflt >= 0 {
				scores[k] = Jaccard(f, m.entries[dflt].Fingerprint)
			}
			continue
		}
		best, bestS := int32(-1), -1.0
		for _, t := range touched {
			s := jaccard(int(counts[t]), f.Len(), m.entries[t].Fingerprint.Len())
			counts[t] = 0
			if s > bestS || (s == bestS && t < best) {
				best, bestS = t, s
			}
		}
		idx[k], scores[k] = int(best), bestS
	}
	return idx, scores, nil
}

// Recognize returns the first label of the best-matching training
// fingerprint of each fingerprint (default "common").
func (m *Model) Recognize(fps []Fingerprint) ([]string, error) {
	idx, _, err := m.Match(fps, DefaultCommon)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(fps))
	for i, j := range idx {
		out[i] = m.entries[j].Label()
	}
	return out, nil
}

// Detect flags unseen apps: +1 (known) when the best Jaccard score against
// the training fingerprints is >= threshold, else -1. As in the reference a
// threshold of 0 means the model default (Threshold, 0.1): a QUIRK that
// makes a zero threshold impossible; use DetectExact for that.
func (m *Model) Detect(fps []Fingerprint, threshold float64) ([]int, error) {
	if threshold == 0 {
		threshold = m.Threshold
	}
	return m.DetectExact(fps, threshold)
}

// DetectExact is Detect with the threshold taken as given.
func (m *Model) DetectExact(fps []Fingerprint, threshold float64) ([]int, error) {
	_, scores, err := m.Match(fps, DefaultNone)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(fps))
	for i, s := range scores {
		if s >= threshold {
			out[i] = 1
		} else {
			out[i] = -1
		}
	}
	return out, nil
}

// FlowFingerprints returns each flow's fingerprint from a Generate result
// (the empty fingerprint for -1).
func (r *Result) FlowFingerprints() []Fingerprint {
	out := make([]Fingerprint, len(r.Of))
	for i, id := range r.Of {
		if id >= 0 {
			out[i] = r.Fingerprints[id]
		}
	}
	return out
}
