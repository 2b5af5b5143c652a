package datasets

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compareSplit splits data with csvSplitter and with encoding/csv and reports
// the first difference: in records, in where an error occurs, or in its
// kind and position.
func compareSplit(t *testing.T, data []byte) {
	t.Helper()
	ref := csv.NewReader(bytes.NewReader(data))
	sp := newCSVSplitter(bytes.NewReader(data))
	for rec := 0; ; rec++ {
		want, werr := ref.Read()
		gerr := sp.next()
		if werr == io.EOF || gerr == io.EOF {
			if werr != gerr {
				t.Fatalf("record %d: encoding/csv %v, splitter %v", rec, werr, gerr)
			}
			return
		}
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("record %d: encoding/csv error %v, splitter error %v", rec, werr, gerr)
		}
		if werr != nil {
			var pe *csv.ParseError
			var se *syntaxError
			if !errors.As(werr, &pe) || !errors.As(gerr, &se) {
				t.Fatalf("record %d: errors %v and %v", rec, werr, gerr)
			}
			if pe.Err != se.err || pe.Line != se.line || pe.Column != se.col {
				t.Fatalf("record %d: encoding/csv %v (line %d column %d), splitter %v", rec, werr, pe.Line, pe.Column, gerr)
			}
			return // both readers stop here
		}
		if len(want) != len(sp.fields) {
			t.Fatalf("record %d: %d fields, encoding/csv %d", rec, len(sp.fields), len(want))
		}
		for i := range want {
			if string(sp.fields[i]) != want[i] {
				t.Fatalf("record %d field %d: %q, encoding/csv %q", rec, i, sp.fields[i], want[i])
			}
			line, _ := ref.FieldPos(i)
			if got := sp.fieldLine(i); got != line {
				t.Fatalf("record %d field %d: line %d, encoding/csv %d", rec, i, got, line)
			}
		}
	}
}

var splitCases = []string{
	"",
	"\n\n\n",
	"a,b,c\n1,2,3\n",
	"a,b,c\r\n1,2,3\r\n",
	"a,b,c\n1,2,3",
	"a,b,c\n1,2,3\r",
	"a,b\n\n1,2\n\r\n3,4\n",
	"a,b\n1,2,3\n",
	"a,b\n1\n",
	`a,b` + "\n" + `"x,y","z""q"` + "\n",
	`a,b` + "\n" + `"multi` + "\n" + `line",2` + "\n",
	`a,b` + "\n" + `"multi` + "\r\n" + `line",2` + "\r\n",
	`a,b` + "\n" + `"unterminated,2` + "\n",
	`a,b` + "\n" + `"unterminated,2`,
	`a,b` + "\n" + `ab"c,2` + "\n",
	`a,b` + "\n" + `"ab"c,2` + "\n",
	`a,b` + "\n" + `"",""` + "\n",
	`a,b` + "\n" + `"a""",b` + "\n",
	`a,b` + "\n" + `x,"y"` + "\n" + `"z` + "\n\n" + `w",v` + "\n",
	`"a` + "\r" + `b",c` + "\n",
	"a,\"b\r\n\",c\nd,e,f\n",
	",,\n,,\n",
	"\xef\xbb\xbfa,b\n1,2\n",
	"a,b\n\"\"\"\",\"\n\"\n",
	"a,b\n\"x\"\r\n",
	"a\n\"x\"\r",
	"a\n\"x\r",
	"a\n\"",
	"a,b\n1,\"",
}

func TestCSVSplitterMatchesEncodingCSV(t *testing.T) {
	for _, c := range splitCases {
		t.Run("", func(t *testing.T) { compareSplit(t, []byte(c)) })
	}
	// Lines longer than the read buffer.
	long := strings.Repeat("x", 200<<10)
	compareSplit(t, []byte("a,b\n"+long+",1\n\""+long+"\n"+long+"\",2\n"))
}

// TestCSVReaderLongFields reads rows whose fields outgrow the read buffer.
func TestCSVReaderLongFields(t *testing.T) {
	long := strings.Repeat("a", 150<<10)
	pkts := []Packet{{Time: 1, Stream: 1, SNI: long}, {Time: 2, Stream: 2, SNI: "b," + long}, {Time: 3, Stream: -1, Cert: bytes.Repeat([]byte{0x30}, 100<<10)}}
	got := csvReadAll(t, "long", csvWriteAll(t, pkts, true))
	for i := range pkts {
		pkts[i].FrameLen = pkts[i].IPLen
		if !samePacket(&got[i], &pkts[i]) {
			t.Errorf("row %d differs (%d-byte SNI, %d-byte certificate)", i, len(got[i].SNI), len(got[i].Cert))
		}
	}
}

// FuzzCSVSplit checks the record splitter against encoding/csv on
// arbitrary input.
func FuzzCSVSplit(f *testing.F) {
	for _, c := range splitCases {
		f.Add([]byte(c))
	}
	seeds, _ := filepath.Glob("testdata/*.csv")
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		compareSplit(t, data)
	})
}
