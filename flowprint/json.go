package flowprint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"appbench/internal/atomicfile"
)

// WriteJSON writes the model in the reference's JSON layout (spec §7), on
// one line with Python's json.dump separators:
//
//	{"batch": 300, "window": 30, "correlation": 0.1, "similarity": 0.9, "threshold": 0.1,
//	 "fingerprints": [[{"certificates": [...], "destinations": [[ip, port], ...], "n_flows": N}, label], ...]}
//
// Certificates are the serial numbers in ascending order (NoCertificate is
// left out), destinations are sorted by IP address string then port, and
// each entry carries its first label.
func (m *Model) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var b []byte
	b = append(b, `{"batch": `...)
	b = appendPyNumber(b, m.Params.Batch, !m.BatchIsFloat)
	b = append(b, `, "window": `...)
	b = appendPyNumber(b, m.Params.Window, !m.WindowIsFloat)
	b = append(b, `, "correlation": `...)
	b = appendPyNumber(b, m.Params.Correlation, false)
	b = append(b, `, "similarity": `...)
	b = appendPyNumber(b, m.Params.Similarity, false)
	b = append(b, `, "threshold": `...)
	b = appendPyNumber(b, m.Threshold, false)
	b = append(b, `, "fingerprints": [`...)
	for i := range m.entries {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendFingerprintJSON(b, m.entries[i].Fingerprint)
		b = append(b, ", "...)
		b = appendPyString(b, m.entries[i].Label())
		b = append(b, ']')
		if len(b) > 1<<16 {
			if _, err := bw.Write(b); err != nil {
				return fmt.Errorf("flowprint: writing fingerprints: %w", err)
			}
			b = b[:0]
		}
	}
	b = append(b, "]}"...)
	if _, err := bw.Write(b); err != nil {
		return fmt.Errorf("flowprint: writing fingerprints: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("flowprint: writing fingerprints: %w", err)
	}
	return nil
}

// SaveJSON writes the model to file as internal/atomicfile does: a regular
// file (or the target of a link) through a temporary file renamed into
// place, a device or FIFO directly, "-" to standard output.
func (m *Model) SaveJSON(file string) error {
	if err := atomicfile.Write(file, func(w *bufio.Writer) error { return m.WriteJSON(w) }); err != nil {
		return fmt.Errorf("flowprint: %w", err)
	}
	return nil
}

func appendFingerprintJSON(b []byte, f Fingerprint) []byte {
	b = append(b, `[{"certificates": [`...)
	first := true
	for _, e := range f.Elements {
		if e.Kind != Certificate {
			continue
		}
		if !first {
			b = append(b, ", "...)
		}
		first = false
		b = append(b, e.Serial...)
	}
	b = append(b, `], "destinations": [`...)
	first = true
	for _, e := range f.Elements {
		if e.Kind != Destination {
			continue
		}
		if !first {
			b = append(b, ", "...)
		}
		first = false
		b = append(b, '[')
		b = appendPyString(b, e.Addr.String())
		b = append(b, ", "...)
		b = strconv.AppendUint(b, uint64(e.Port), 10)
		b = append(b, ']')
	}
	b = append(b, `], "n_flows": `...)
	b = strconv.AppendInt(b, int64(f.NFlows), 10)
	return append(b, '}')
}

// appendPyNumber formats v as Python's json.dump would format the value:
// as an int when asInt and v is integral, else as Python's float repr.
func appendPyNumber(b []byte, v float64, asInt bool) []byte {
	if asInt && v == math.Trunc(v) && math.Abs(v) < 1e18 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "Infinity"...)
	case math.IsInf(v, -1):
		return append(b, "-Infinity"...)
	}
	a := math.Abs(v)
	if a == 0 || (a >= 1e-4 && a < 1e16) {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.ContainsRune(s, '.') {
			s += ".0"
		}
		return append(b, s...)
	}
	s := strconv.FormatFloat(v, 'e', -1, 64)
	// Go writes e+16 / e-05 already with at least two exponent digits.
	return append(b, s...)
}

// appendPyString writes s as a JSON string the way Python's json.dump
// does with ensure_ascii: non-ASCII characters become \uXXXX escapes.
func appendPyString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r < 0x20 || (r >= 0x7f && r <= 0xffff):
			if r == utf8.RuneError {
				r = 0xfffd
			}
			b = append(b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		case r > 0xffff:
			r -= 0x10000
			hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
			b = append(b, '\\', 'u', hex[hi>>12&15], hex[hi>>8&15], hex[hi>>4&15], hex[hi&15])
			b = append(b, '\\', 'u', hex[lo>>12&15], hex[lo>>8&15], hex[lo>>4&15], hex[lo&15])
		default:
			b = append(b, byte(r))
		}
	}
	return append(b, '"')
}

// FileParams are the parameters stored in a fingerprint JSON file.
type FileParams struct {
	Batch, Window, Correlation, Similarity, Threshold float64
}

// LabeledFingerprint is one entry of a fingerprint JSON file.
type LabeledFingerprint struct {
	Fingerprint Fingerprint
	Label       string
}

// ReadJSON reads a fingerprint file in the reference's layout. name is used
// in error messages. Labels that are not JSON strings are kept as their
// JSON text (the reference writes 1 for unlabelled fingerprints).
func ReadJSON(r io.Reader, name string) (FileParams, []LabeledFingerprint, error) {
	var raw struct {
		Batch        *json.Number        `json:"batch"`
		Window       *json.Number        `json:"window"`
		Correlation  *json.Number        `json:"correlation"`
		Similarity   *json.Number        `json:"similarity"`
		Threshold    *json.Number        `json:"threshold"`
		Fingerprints [][]json.RawMessage `json:"fingerprints"`
	}
	params := FileParams{Batch: 300, Window: 30, Correlation: 0.1, Similarity: 0.9, Threshold: DefaultThreshold}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return params, nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range []struct {
		n *json.Number
		v *float64
	}{{raw.Batch, &params.Batch}, {raw.Window, &params.Window}, {raw.Correlation, &params.Correlation},
		{raw.Similarity, &params.Similarity}, {raw.Threshold, &params.Threshold}} {
		if p.n != nil {
			v, err := p.n.Float64()
			if err != nil {
				return params, nil, fmt.Errorf("%s: parameter %q: %w", name, p.n.String(), err)
			}
			*p.v = v
		}
	}
	out := make([]LabeledFingerprint, 0, len(raw.Fingerprints))
	for i, item := range raw.Fingerprints {
		if len(item) != 2 {
			return params, nil, fmt.Errorf("%s: fingerprint %d: want [fingerprint, label], got %d items", name, i, len(item))
		}
		fp, err := decodeFingerprint(item[0])
		if err != nil {
			return params, nil, fmt.Errorf("%s: fingerprint %d: %w", name, i, err)
		}
		var label string
		if err := json.Unmarshal(item[1], &label); err != nil {
			label = string(bytes.TrimSpace(item[1]))
		}
		out = append(out, LabeledFingerprint{Fingerprint: fp, Label: label})
	}
	return params, out, nil
}

func decodeFingerprint(msg json.RawMessage) (Fingerprint, error) {
	var raw struct {
		Certificates []json.Number        `json:"certificates"`
		Destinations [][2]json.RawMessage `json:"destinations"`
		NFlows       *json.Number         `json:"n_flows"`
	}
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Fingerprint{}, err
	}
	elems := make([]Element, 0, len(raw.Certificates)+len(raw.Destinations))
	for _, d := range raw.Destinations {
		var ip string
		if err := json.Unmarshal(d[0], &ip); err != nil {
			return Fingerprint{}, fmt.Errorf("destination address %s: %w", d[0], err)
		}
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return Fingerprint{}, fmt.Errorf("destination address: %w", err)
		}
		port, err := strconv.ParseUint(string(bytes.TrimSpace(d[1])), 10, 16)
		if err != nil {
			return Fingerprint{}, fmt.Errorf("destination %s port %s: %w", ip, d[1], err)
		}
		elems = append(elems, DestinationElement(addr, uint16(port)))
	}
	for _, c := range raw.Certificates {
		s, err := canonicalSerial(c.String())
		if err != nil {
			return Fingerprint{}, err
		}
		elems = append(elems, CertificateElement(s))
	}
	n := 0
	if raw.NFlows != nil {
		v, err := raw.NFlows.Int64()
		if err != nil {
			return Fingerprint{}, fmt.Errorf("n_flows %s: %w", raw.NFlows.String(), err)
		}
		n = int(v)
	}
	return NewFingerprint(elems, n), nil
}

// LoadJSON reads fingerprint files into the model as the reference's load
// does: every entry becomes a fingerprint, and the labels of equal
// fingerprints across entries and files are unioned. The files' parameters
// are ignored.
func (m *Model) LoadJSON(files ...string) error {
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("flowprint: %w", err)
		}
		_, fps, err := ReadJSON(bufio.NewReader(f), file)
		f.Close()
		if err != nil {
			return fmt.Errorf("flowprint: %w", err)
		}
		for _, lf := range fps {
			m.Add(lf.Fingerprint, lf.Label)
		}
	}
	return nil
}

// LoadTestJSON reads test fingerprint files as the reference's command line
// does (load with store=False): distinct fingerprints in order of first
// appearance, each with the union of its labels.
func LoadTestJSON(files ...string) ([]Entry, error) {
	m := NewModel(DefaultParams())
	if err := m.LoadJSON(files...); err != nil {
		return nil, err
	}
	return m.Entries(), nil
}
