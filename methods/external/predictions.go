package external

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"appbench/methods"
)

// predictionsHeader is the header predictions.csv must have.
var predictionsHeader = []string{"id", "label", "score", "unknown"}

// readPredictions reads the plugin's predictions.csv strictly: the header,
// then exactly one row per id of ids, in any order. Errors name the file
// and line.
func readPredictions(path string, ids []string) ([]methods.Prediction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("no predictions: %w", err)
	}
	defer f.Close()
	return parsePredictions(f, path, ids)
}

// parsePredictions is readPredictions of r, named path in errors.
func parsePredictions(r io.Reader, path string, ids []string) ([]methods.Prediction, error) {
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(predictionsHeader)
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s:1: empty file: want the header %s", path, strings.Join(predictionsHeader, ","))
	}
	if err != nil {
		return nil, csvErr(path, err)
	}
	if got := strings.Join(rec, ","); strings.TrimPrefix(got, "\ufeff") != strings.Join(predictionsHeader, ",") {
		return nil, fmt.Errorf("%s:1: header %q, want %q", path, got, strings.Join(predictionsHeader, ","))
	}
	out := make([]methods.Prediction, len(ids))
	seenAt := make([]int, len(ids)) // line of each id's row, 0 while missing
	last := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(path, err)
		}
		line, _ := cr.FieldPos(0)
		last = line
		i, ok := at[rec[0]]
		switch {
		case !ok:
			return nil, fmt.Errorf("%s:%d: id %q is not a test id", path, line, rec[0])
		case seenAt[i] != 0:
			return nil, fmt.Errorf("%s:%d: id %q again (first on line %d)", path, line, rec[0], seenAt[i])
		}
		seenAt[i] = line
		if out[i], err = parsePrediction(rec); err != nil {
			return nil, fmt.Errorf("%s:%d: id %s: %w", path, line, rec[0], err)
		}
	}
	return out, missing(path, last, ids, seenAt)
}

// parsePrediction parses the label, score and unknown fields of a row.
func parsePrediction(rec []string) (methods.Prediction, error) {
	p := methods.Prediction{Label: rec[1]}
	score, err := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
	if err != nil || math.IsNaN(score) || math.IsInf(score, 0) {
		return p, fmt.Errorf("score %q is not a finite number", rec[2])
	}
	p.Score = score
	switch strings.ToLower(strings.TrimSpace(rec[3])) {
	case "0", "false":
	case "1", "true":
		p.Unknown = true
	default:
		return p, fmt.Errorf("unknown %q: want 0, 1, true or false", rec[3])
	}
	if p.Label == "" && !p.Unknown {
		return p, errors.New("empty label (allowed only with unknown 1)")
	}
	return p, nil
}

// missing names the ids without a row; last is the file's last line.
func missing(path string, last int, ids []string, seenAt []int) error {
	var miss []string
	for i, line := range seenAt {
		if line == 0 {
			miss = append(miss, ids[i])
		}
	}
	if len(miss) == 0 {
		return nil
	}
	shown := miss[:min(len(miss), 5)]
	more := ""
	if len(miss) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(miss)-len(shown))
	}
	return fmt.Errorf("%s:%d: end of file, but no row for %d of the %d test ids (%s%s)", path, last, len(miss), len(ids), strings.Join(shown, ", "), more)
}

// csvErr turns a CSV reading error into one naming the file and line.
func csvErr(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %v", path, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}
