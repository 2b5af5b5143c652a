package testcorpus

import (
	"path/filepath"
	"testing"

	"appbench/datasets"
)

func TestWriteMakesAReadableCorpus(t *testing.T) {
	root := t.TempDir()
	Write(t, root, Spec{Requests: 4, ReplyDelay: 7, Request: func(app, k, i int) datasets.Packet {
		return datasets.Packet{Time: Start(k) + int64(i), Proto: datasets.TCP, Stream: int64(app), Src: Client(k),
			Dst: Client(9), SrcPort: uint16(1000 + i), DstPort: 443, IPLen: 60}
	}})
	c, err := datasets.LoadCorpus(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Captures) != len(Apps)*Captures {
		t.Fatalf("%d captures, want %d", len(c.Captures), len(Apps)*Captures)
	}
	pkts, err := datasets.ReadCapture(filepath.Join(root, "news", "news_2.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 8 {
		t.Fatalf("%d packets, want 8", len(pkts))
	}
	req, rep := pkts[2], pkts[3]
	if req.Time != Start(2)+1 || rep.Time != req.Time+7 || req.Stream != 2 ||
		rep.Src != req.Dst || rep.Dst != req.Src || rep.SrcPort != 443 || rep.DstPort != 1001 {
		t.Fatalf("request %+v, reply %+v", req, rep)
	}
}
