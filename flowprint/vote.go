package flowprint

// VoteOptions control ChunkVote.
type VoteOptions struct {
	// PerFingerprint gives one vote to each distinct fingerprint of the
	// chunk (the empty one included when the chunk has none) instead of
	// one vote per flow.
	PerFingerprint bool
	// Default is the fallback of Match for fingerprints sharing nothing
	// with the model.
	Default Default
	// Threshold is the Jaccard score below which a vote counts as unseen.
	Threshold float64
}

// Vote is the answer of ChunkVote.
type Vote struct {
	// Label is the label with most votes (the first to get a vote on
	// ties); Share is its share of the votes.
	Label string
	Share float64
	// Unseen reports that more than half of the votes scored below the
	// threshold: the chunk looks like an app absent from the model.
	Unseen bool
	// Votes counts the votes (0 for a chunk without flows).
	Votes int
}

// ChunkVote labels one traffic chunk: it fingerprints the chunk's flows
// with p, matches each flow's (or each distinct) fingerprint against the
// model, and lets the matches' first labels vote.
func (m *Model) ChunkVote(flows []Flow, p Params, opt VoteOptions) (Vote, error) {
	if len(flows) == 0 {
		return Vote{Unseen: true}, nil
	}
	res, err := Generate(flows, p)
	if err != nil {
		return Vote{}, err
	}
	fps := res.FlowFingerprints()
	if opt.PerFingerprint {
		fps = distinct(fps)
	}
	idx, scores, err := m.Match(fps, opt.Default)
	if err != nil {
		return Vote{}, err
	}
	counts := make(map[string]int)
	var order []string
	unseen := 0
	for i, j := range idx {
		l := m.entries[j].Label()
		if counts[l] == 0 {
			order = append(order, l)
		}
		counts[l]++
		// A fingerprint that shares nothing with the training
		// fingerprints has score 0 against the default.
		if scores[i] < opt.Threshold {
			unseen++
		}
	}
	best := order[0]
	for _, l := range order {
		if counts[l] > counts[best] {
			best = l
		}
	}
	return Vote{Label: best, Share: float64(counts[best]) / float64(len(idx)), Unseen: 2*unseen > len(idx), Votes: len(idx)}, nil
}

// distinct returns the distinct fingerprints of fps in order of first
// appearance.
func distinct(fps []Fingerprint) []Fingerprint {
	seen := make(map[string]bool)
	var out []Fingerprint
	for _, f := range fps {
		if k := f.Key(); !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}
