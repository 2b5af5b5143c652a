package flowprint

import "fmt"

// FlowSet is what Generate reads of the flows it fingerprints: each flow's
// first and last packet time, destination, certificate and packet times.
// Flows makes one of a []Flow; a caller holding very many flows can keep
// them in a more compact form of its own (packet times in a shared
// buffer, destinations interned) and fingerprint them with GenerateSet.
type FlowSet interface {
	// Len is the number of flows.
	Len() int
	// Span returns flow i's smallest and largest packet time (Flow.Start
	// and Flow.End).
	Span(i int) (start, end float64)
	// Destination returns flow i's destination element.
	Destination(i int) Element
	// Certificate returns flow i's certificate, "" for none (Flow.Cert).
	Certificate(i int) string
	// AppendTimes appends flow i's packet times, in capture order, to dst.
	AppendTimes(dst []float64, i int) []float64
	// Name names flow i in errors.
	Name(i int) string
}

// Flows is a []Flow as a FlowSet.
type Flows []Flow

// Len returns len(f).
func (f Flows) Len() int { return len(f) }

// Span returns f[i].Start and f[i].End.
func (f Flows) Span(i int) (start, end float64) { return f[i].Start, f[i].End }

// Destination returns f[i].Destination().
func (f Flows) Destination(i int) Element { return f[i].Destination() }

// Certificate returns f[i].Cert.
func (f Flows) Certificate(i int) string { return f[i].Cert }

// AppendTimes appends f[i].Times to dst.
func (f Flows) AppendTimes(dst []float64, i int) []float64 { return append(dst, f[i].Times...) }

// Name names f[i] by its protocol, stream and label.
func (f Flows) Name(i int) string {
	return fmt.Sprintf("%s stream %d of %q", f[i].Proto, f[i].Stream, f[i].Label)
}
