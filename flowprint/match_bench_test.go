package flowprint

import (
	"fmt"
	"net/netip"
	"testing"
)

// matchModel returns a model of n fingerprints, each of three destinations
// of its own; the first 100 also hold one of ten shared destinations.
func matchModel(n int) *Model {
	m := NewModel(DefaultParams())
	for i := 0; i < n; i++ {
		els := []Element{
			{Kind: Destination, Addr: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), Port: 443},
			{Kind: Destination, Addr: netip.AddrFrom4([4]byte{11, byte(i >> 16), byte(i >> 8), byte(i)}), Port: 443},
			{Kind: Destination, Addr: netip.AddrFrom4([4]byte{12, byte(i >> 16), byte(i >> 8), byte(i)}), Port: 80},
		}
		if i < 100 {
			els = append(els, Element{Kind: Destination, Addr: netip.AddrFrom4([4]byte{13, 0, 0, byte(i % 10)}), Port: 443})
		}
		m.Add(NewFingerprint(els, 1+i%7), fmt.Sprintf("app%d", i%50))
	}
	return m
}

// BenchmarkMatch matches one chunk's fingerprints (one known, one sharing a
// common destination, one new) against models of growing size: the cost per
// chunk must not grow with the number of training fingerprints beyond the
// posting lists the chunk's elements touch.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		m := matchModel(n)
		known := m.Entries()[n/2].Fingerprint
		shared := NewFingerprint([]Element{{Kind: Destination, Addr: netip.AddrFrom4([4]byte{13, 0, 0, 3}), Port: 443}}, 1)
		fresh := NewFingerprint([]Element{{Kind: Destination, Addr: netip.AddrFrom4([4]byte{99, 0, 0, 1}), Port: 443}}, 1)
		fps := []Fingerprint{known, shared, fresh}
		if _, _, err := m.Match(fps, DefaultCommon); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("train=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := m.Match(fps, DefaultCommon); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMatchRepeatedFingerprints: a fingerprint given many times (the flows
// of one fingerprint share its element slice) gets the same answer as when
// given alone, as do equal fingerprints with their own slices.
func TestMatchRepeatedFingerprints(t *testing.T) {
	m := matchModel(500)
	a := m.Entries()[7].Fingerprint
	b := NewFingerprint([]Element{{Kind: Destination, Addr: netip.AddrFrom4([4]byte{13, 0, 0, 3}), Port: 443}}, 1)
	copyA := NewFingerprint(a.Elements, a.NFlows)
	fps := []Fingerprint{a, b, a, {}, b, copyA, a}
	idx, scores, err := m.Match(fps, DefaultCommon)
	if err != nil {
		t.Fatal(err)
	}
	for k, f := range fps {
		i1, s1, err := m.Match([]Fingerprint{f}, DefaultCommon)
		if err != nil {
			t.Fatal(err)
		}
		if idx[k] != i1[0] || scores[k] != s1[0] {
			t.Errorf("fingerprint %d: %d/%v among others, %d/%v alone", k, idx[k], scores[k], i1[0], s1[0])
		}
	}
}
