package datasets

import (
	"bufio"
	"encoding/binary"
	"io"
)

// pcapVariant is one layout of the per-record header of a classic pcap
// file: the standard 16 bytes, or one of the patched layouts that append
// fields (interface index, protocol, packet type, ...) to them. The data
// that follows the header is the same in every layout.
type pcapVariant struct {
	name   string // wiretap's name of the layout, for messages
	hdrLen int
}

// The layouts of wiretap's libpcap reader (tshark 4.0), with their header
// lengths.
var (
	pcapStandard = pcapVariant{"pcap", 16}
	pcapSS990417 = pcapVariant{"pcap-ss990417", 24} // Red Hat 6.1 tcpdump, standard magic
	pcapNokia    = pcapVariant{"pcap-nokia", 20}
	pcapSS991029 = pcapVariant{"pcap-ss991029", 24} // modified magic
	pcapSS990915 = pcapVariant{"pcap-ss990915", 28} // SuSE 6.3 tcpdump, modified magic
)

// The candidate layouts of a file whose magic number leaves the layout
// open, in wiretap's order of preference (variants_standard and
// variants_modified in wiretap/libpcap.c).
var (
	pcapVariantsStandard = []pcapVariant{pcapStandard, pcapSS990417, pcapNokia}
	pcapVariantsModified = []pcapVariant{pcapSS991029, pcapSS990915}
)

const (
	// pcapTrialRecords is how many records a candidate layout is tried
	// on (wiretap's MAX_RECORDS_TO_TRY).
	pcapTrialRecords = 3
	// pcapTrialMaxOrigLen is the largest plausible original length of a
	// record (wiretap's 128 MiB).
	pcapTrialMaxOrigLen = 128 << 20
	// pcapTrialBytes bounds the bytes a trial can look at: three records
	// of the largest header and the largest accepted length.
	pcapTrialBytes = pcapTrialRecords * (28 + maxRecordLen)
)

// choosePcapVariant picks the record header layout of a classic pcap
// file among candidates the way wiretap's libpcap_try_variants does: each
// candidate in turn reads the first records (see pcapPeeker.demerits); the
// first with no demerit wins at once, otherwise the one with the fewest
// (the earlier on a tie). snaplen is the file header's snapshot length.
//
// The records are only peeked at, never consumed. A read error other than
// the end of the file ends the trials and gives the first candidate; the
// error comes back when the records are read, with its frame number.
func choosePcapVariant(pk *pcapPeeker, order binary.ByteOrder, snaplen uint32, candidates []pcapVariant) pcapVariant {
	best, bestScore := candidates[0], -1
	for _, v := range candidates {
		score, err := pk.demerits(order, snaplen, v.hdrLen)
		if err != nil {
			return candidates[0]
		}
		if score == 0 {
			return v
		}
		if bestScore < 0 || score < bestScore {
			best, bestScore = v, score
		}
	}
	return best
}

// pcapPeeker looks ahead in the records of a pcap file without consuming
// them.
type pcapPeeker struct {
	br *bufio.Reader
}

// peek returns the next n unread bytes (fewer, with io.EOF, at the end of
// the file). When n exceeds the buffer, br is replaced by a reader with a
// buffer of pcapTrialBytes stacked on it, which still holds every byte.
func (pk *pcapPeeker) peek(n int) ([]byte, error) {
	if n > pk.br.Size() {
		pk.br = bufio.NewReaderSize(pk.br, max(n, pcapTrialBytes))
	}
	return pk.br.Peek(n)
}

// demerits reads up to pcapTrialRecords records as if their headers were
// hdrLen bytes long and counts what is implausible in the first record
// that is not right, as wiretap's libpcap_try and libpcap_try_record do:
// one each for a microsecond field of 1000000 or more, a captured length
// above maxRecordLen, an original length above 128 MiB, a captured length
// above the snapshot length and a captured length above the original one.
// A record cut by the end of the file counts 1; a file that ends cleanly
// before the last trial record does not count. 0 means every record read
// looks right. An error is a read error other than the end of the file.
func (pk *pcapPeeker) demerits(order binary.ByteOrder, snaplen uint32, hdrLen int) (int, error) {
	off := 0
	for range pcapTrialRecords {
		b, err := pk.peek(off + hdrLen)
		if err != nil {
			if err != io.EOF {
				return 0, err
			}
			if len(b) == off {
				return 0, nil // the file ends after the last record
			}
			return 1, nil // header cut short
		}
		h := b[off:]
		usec, incl, orig := order.Uint32(h[4:]), order.Uint32(h[8:]), order.Uint32(h[12:])
		score := 0
		for _, bad := range [...]bool{usec >= 1000000, incl > maxRecordLen, orig > pcapTrialMaxOrigLen, incl > snaplen, incl > orig} {
			if bad {
				score++
			}
		}
		if score > 0 {
			return score, nil
		}
		off += hdrLen + int(incl)
		if _, err := pk.peek(off); err != nil {
			if err != io.EOF {
				return 0, err
			}
			return 1, nil // data cut short
		}
	}
	return 0, nil
}
