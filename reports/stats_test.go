package reports

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestStatsMatchSciPy compares Wilcoxon, McNemar and Holm with the values
// scipy computed on the same inputs (testdata/paired_stats.py).
func TestStatsMatchSciPy(t *testing.T) {
	b, err := os.ReadFile("testdata/paired_stats.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Wilcoxon []struct {
			D       []float64
			Stat, P float64
			Exact   bool
		}
		McNemar []struct {
			B, C int
			P    float64
		}
		Holm []struct{ P, Holm []float64 }
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	for _, w := range ref.Wilcoxon {
		stat, p := Wilcoxon(w.D)
		if stat != w.Stat || math.Abs(p-w.P) > tol {
			t.Errorf("Wilcoxon(%v) = %v, %.17g; scipy %v, %.17g (exact %v)", w.D, stat, p, w.Stat, w.P, w.Exact)
		}
	}
	for _, m := range ref.McNemar {
		if p := McNemar(m.B, m.C); math.Abs(p-m.P) > tol {
			t.Errorf("McNemar(%d, %d) = %.17g; scipy %.17g", m.B, m.C, p, m.P)
		}
	}
	for _, h := range ref.Holm {
		got := Holm(h.P)
		for i := range got {
			if math.Abs(got[i]-h.Holm[i]) > tol {
				t.Errorf("Holm(%v) = %v; want %v", h.P, got, h.Holm)
				break
			}
		}
	}
	if len(ref.Wilcoxon) < 10 || len(ref.McNemar) < 10 || len(ref.Holm) < 4 {
		t.Errorf("reference file holds too few cases")
	}
}

func TestWilcoxonAllZero(t *testing.T) {
	if _, p := Wilcoxon([]float64{0, 0, 0}); p != 1 {
		t.Errorf("p = %v for no difference, want 1", p)
	}
	if p := McNemar(0, 0); p != 1 {
		t.Errorf("McNemar(0, 0) = %v, want 1", p)
	}
}
