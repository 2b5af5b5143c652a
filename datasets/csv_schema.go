package datasets

import (
	"strconv"
	"strings"
)

// CSV column names of the packet CSV format.
const (
	colProtocol = "protocol"
	colStream   = "stream_id"
	colTime     = "time"
	colLength   = "length"
	colSrc      = "source_address"
	colDst      = "destination_address"
	colSrcPort  = "source_port"
	colDstPort  = "destination_port"
	colCert     = "certificate"
	colFrame    = "frame"
	colFrameLen = "frame_len"
	colSNI      = "sni"
)

// requiredColumns are the columns a packet CSV must have, in the order the
// writer emits them.
var requiredColumns = [...]string{colProtocol, colStream, colTime, colLength, colSrc, colDst, colSrcPort, colDstPort}

// Column slots of CSVReader.idx.
const (
	slotProtocol = iota
	slotStream
	slotTime
	slotLength
	slotSrc
	slotDst
	slotSrcPort
	slotDstPort
	slotCert
	slotFrame
	slotFrameLen
	slotSNI
	numColumns
)

var slotNames = [numColumns]string{colProtocol, colStream, colTime, colLength, colSrc, colDst, colSrcPort, colDstPort, colCert, colFrame, colFrameLen, colSNI}

// mapHeader sets idx to the field index of each known column of header
// (-1 when absent). It returns the name of a column that appears twice, or "".
func mapHeader(header []string, idx *[numColumns]int) (dup string) {
	for k := range idx {
		idx[k] = -1
	}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // UTF-8 byte order mark
		}
		h = strings.TrimSpace(h)
		for k, n := range slotNames {
			if h == n {
				if idx[k] >= 0 {
					return n
				}
				idx[k] = i
			}
		}
	}
	return ""
}

// missingColumns returns the quoted names of the required columns absent
// from idx.
func missingColumns(idx *[numColumns]int) []string {
	var missing []string
	for k := slotProtocol; k <= slotDstPort; k++ {
		if idx[k] < 0 {
			missing = append(missing, strconv.Quote(slotNames[k]))
		}
	}
	return missing
}
