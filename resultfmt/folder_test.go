package resultfmt

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// folderDir is a results folder written by "appbench run" before this
// package existed (see reports/testdata): its files must read and write
// back byte for byte.
var folderDir = filepath.Join("..", "reports", "testdata", "tiny")

// TestFolderRoundTrip reads the result and predictions files of folderDir
// and writes them again: the bytes must not change.
func TestFolderRoundTrip(t *testing.T) {
	rs, err := ReadResults(folderDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 8 {
		t.Fatalf("%d results, want 8", len(rs))
	}
	dir := t.TempDir()
	for _, r := range rs {
		if err := WriteResult(dir, r); err != nil {
			t.Fatal(err)
		}
		ps, err := ReadPredictions(PredictionsPath(folderDir, r.ID))
		if err != nil {
			t.Fatal(err)
		}
		if err := WritePredictions(dir, r.ID, ps); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{ResultPath("", r.ID), PredictionsPath("", r.ID)} {
			want, _ := os.ReadFile(filepath.Join(folderDir, name))
			got, _ := os.ReadFile(filepath.Join(dir, name))
			if len(want) == 0 || !bytes.Equal(got, want) {
				t.Errorf("%s changed in a read/write round trip:\n%s", name, got)
			}
		}
	}
}

// TestReadResultsOrder checks that ReadResults skips temporary and other
// files and sorts by experiment, method, point, repetition, fold, group and
// id.
func TestReadResultsOrder(t *testing.T) {
	dir := t.TempDir()
	rs := []*Result{
		{ID: "b-1", Experiment: "x", MethodIndex: 1},
		{ID: "a-2", Experiment: "x", MethodIndex: 0, PointIndex: 1},
		{ID: "a-1", Experiment: "x", MethodIndex: 0, PointIndex: 1, Fold: 2},
		{ID: "a-0", Experiment: "x", MethodIndex: 0, PointIndex: 1, Fold: 1},
		{ID: "z-0", Experiment: "w", MethodIndex: 3},
		{ID: "a-4", Experiment: "x", MethodIndex: 0, Repeat: 1},
		{ID: "a-3", Experiment: "x", MethodIndex: 0, Group: "g"},
	}
	for _, r := range rs {
		r.Schema = ResultSchema
		if err := WriteResult(dir, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{TempName() + "a-9" + ResultSuffix, "notes.txt", "x.experiment.yaml"} {
		os.WriteFile(filepath.Join(dir, name), []byte("{"), 0o644)
	}
	got, err := ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if want := "z-0 a-3 a-4 a-2 a-0 a-1 b-1"; strings.Join(ids, " ") != want {
		t.Errorf("order %v, want %s", ids, want)
	}
}

// TestReadResultErrors checks that a bad result file is an error naming
// it and the problem.
func TestReadResultErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ text, want string }{
		"json":   {"{", "unexpected end"},
		"schema": {`{"schema": 9, "id": "schema"}`, "result schema 9"},
		"id":     {fmt.Sprintf(`{"schema": %d, "id": "other"}`, ResultSchema), "does not match its cell id"},
	} {
		p := ResultPath(dir, name)
		os.WriteFile(p, []byte(tc.text), 0o644)
		_, err := ReadResult(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming %s with %q", name, err, p, tc.want)
		}
	}
}

// TestTempPID checks that TempPID reads back the pid of TempName's
// names, and only of those made on this host.
func TestTempPID(t *testing.T) {
	if pid, ok := TempPID(TempName() + "x.cell.json-123"); !ok || pid != os.Getpid() {
		t.Errorf("TempPID of this process's name = %d, %v; want %d, true", pid, ok, os.Getpid())
	}
	for _, name := range []string{
		"x.cell.json",
		TempPrefix + "other_host-12-x.cell.json-1",
		TempPrefix + hostTag() + "-pid-x.cell.json-1",
		TempPrefix + hostTag() + "-12",
	} {
		if pid, ok := TempPID(name); ok {
			t.Errorf("TempPID(%q) = %d, true; want false", name, pid)
		}
	}
}
