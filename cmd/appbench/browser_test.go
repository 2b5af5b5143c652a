package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"appbench/reports"
)

// chromium returns the headless browser to test pages with: $APPBENCH_CHROMIUM,
// or the first of Debian's chromium and its usual other names on the PATH.
func chromium() string {
	if p := os.Getenv("APPBENCH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runChromium runs headless Chromium on the file page with extra flags and
// returns its standard output and error.
func runChromium(t *testing.T, bin, page string, extra ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+page)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(extra, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// probeHead records the page's script errors and policy violations;
// probeTail, run after the page's own script, reads the main table's rows,
// clicks the Accuracy column title and reports both orders in the title.
const (
	probeHead = `<script>window.probeErrors=[];
window.addEventListener("error",function(e){probeErrors.push(String(e.message))});
document.addEventListener("securitypolicyviolation",function(e){probeErrors.push("blocked "+e.blockedURI)});</script>`
	probeTail = `<script>(function(){
var t=document.querySelector("#results table.sortable"),n=t.tHead.rows[0].cells.length;
function rows(){return Array.prototype.map.call(t.tBodies[0].rows,function(r){
var k=[];for(var i=0;i<KEYS;i++)k.push(r.cells[i].textContent);return k.join("|")})}
var before=rows(),th=Array.prototype.find.call(t.tHead.rows[0].cells,function(h){return h.textContent.indexOf("Accuracy")===0});
th.querySelector("button").click();
document.title="PROBE "+JSON.stringify({errors:probeErrors,columns:n,before:before,after:rows(),sort:th.getAttribute("aria-sort")});
})();</script>`
)

// probeResult is what probeTail reports.
type probeResult struct {
	Errors        []string
	Columns       int
	Before, After []string
	Sort          string
}

// TestReportPageInBrowser renders the HTML page of the end-to-end corpus
// in headless Chromium: the page runs with no script error or console
// message, the main table has the table's rows, a click on the Accuracy
// title sorts them by decreasing accuracy, and screenshots at desktop and
// phone width and a printed PDF are written ($APPBENCH_SCREENSHOTS keeps
// them in that folder). Skipped when Chromium is not installed.
func TestReportPageInBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no headless Chromium (apt-get install chromium; .ci/run installs it): the page is not checked in a browser")
	}
	res := goldenRun(t)
	fixedStamp(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if _, err := execute(t, "report", res, "--format", "html", "-o", page, "--metrics", goldenMetrics); err != nil {
		t.Fatal(err)
	}
	tb := reportJSON(t, res, "--metrics", goldenMetrics)
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	probe := strings.Replace(string(b), "<head>", "<head>"+probeHead, 1)
	probe = strings.Replace(probe, "</body>", strings.Replace(probeTail, "KEYS", fmt.Sprint(len(tb.Keys)), 1)+"</body>", 1)
	probePath := filepath.Join(dir, "probe.html")
	if err := os.WriteFile(probePath, []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, stderr := runChromium(t, bin, probePath, "--dump-dom")
	m := regexp.MustCompile(`<title>PROBE (.*)</title>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not finish (a script error?):\n%s\n%s", stderr, dom)
	}
	var got probeResult
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
		t.Fatalf("%v: %s", err, m[1])
	}
	if len(got.Errors) > 0 {
		t.Errorf("script errors: %q", got.Errors)
	}
	if c := regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`).FindAllString(stderr, -1); len(c) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(c, "\n"))
	}
	checkSorted(t, &got, tb.Rows, len(tb.Keys)+1+len(tb.Columns))
	shots := os.Getenv("APPBENCH_SCREENSHOTS")
	if shots == "" {
		shots = dir
	}
	for _, s := range []struct{ name, size string }{{"report.png", "1280,2400"}, {"report-phone.png", "390,1600"}} {
		path := filepath.Join(shots, s.name)
		runChromium(t, bin, page, "--screenshot="+path, "--window-size="+s.size, "--hide-scrollbars")
		checkPNG(t, path)
	}
	pdf := filepath.Join(shots, "report.pdf")
	runChromium(t, bin, page, "--print-to-pdf="+pdf, "--no-pdf-header-footer")
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Errorf("printed PDF %s: %v", pdf, err)
	}
	t.Logf("screenshots and PDF in %s", shots)
}

// checkSorted checks the rows the probe read before and after sorting by
// accuracy against the table's rows (keys joined by "|").
func checkSorted(t *testing.T, got *probeResult, rows []reports.Row, columns int) {
	t.Helper()
	var want []string
	for _, r := range rows {
		want = append(want, strings.Join(r.Keys, "|"))
	}
	if got.Columns != columns || !slices.Equal(got.Before, want) {
		t.Errorf("table of %d columns, rows %q; want %d columns, rows %q", got.Columns, got.Before, columns, want)
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		x, y := rows[a].Cells[0].Mean, rows[b].Cells[0].Mean
		switch {
		case x > y:
			return -1
		case x < y:
			return 1
		}
		return 0
	})
	var sorted []string
	for _, i := range idx {
		sorted = append(sorted, want[i])
	}
	if slices.Equal(sorted, want) {
		t.Errorf("rows already in decreasing accuracy: the sort is not tested")
	}
	if got.Sort != "descending" || !slices.Equal(got.After, sorted) {
		t.Errorf("after a click on Accuracy: aria-sort %q, rows %q; want descending, %q", got.Sort, got.After, sorted)
	}
}

// checkPNG checks that path is a PNG image with something drawn on it.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0x8000 {
				dark++
			}
		}
	}
	if dark == 0 {
		t.Errorf("%s: a blank %dx%d image", path, b.Dx(), b.Dy())
	}
}
