package synth

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"appbench/datasets"
	"appbench/internal/atomicfile"
	"appbench/internal/workpool"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Capture is one capture of the corpus, generated on demand. Its records
// and its pcap file come from the same generator, so Source gives exactly
// the records a pcap reader gives for the file WritePcap writes.
type Capture struct {
	// App is the label.
	App string
	// Name is the capture's file name without extension, "<app>_<k>"
	// with k counting from 1.
	Name string
	w    *world
	ai   int
	k    int
}

// Path is the capture's file path relative to the corpus root,
// "<app>/<app>_<k>.pcap".
func (c Capture) Path() string { return c.App + "/" + c.Name + ".pcap" }

// Captures returns the captures of the corpus described by cfg, in label
// order then capture order, without generating any traffic yet (only the
// services and their certificates).
func Captures(cfg Config) ([]Capture, error) {
	w, err := newWorld(cfg)
	if err != nil {
		return nil, err
	}
	var out []Capture
	for ai, a := range w.apps {
		for k := 0; k < cfg.CapturesPerApp; k++ {
			out = append(out, Capture{App: a.name, Name: fmt.Sprintf("%s_%d", a.name, k+1), w: w, ai: ai, k: k})
		}
	}
	return out, nil
}

// Source streams the capture's TCP and UDP packet records in capture order.
// Memory stays bounded by the open connections whatever the capture length.
func (c Capture) Source() datasets.Source {
	return &source{g: newGen(c.w, c.ai, c.k)}
}

// Packets returns all packet records of the capture. Their Cert slices are
// the caller's own.
func (c Capture) Packets() ([]datasets.Packet, error) {
	src := c.Source()
	var out []datasets.Packet
	for src.Scan() {
		p := *src.Packet()
		if p.Cert != nil {
			p.Cert = append([]byte(nil), p.Cert...)
		}
		out = append(out, p)
	}
	return out, src.Err()
}

type source struct {
	g   *gen
	rec datasets.Packet
}

func (s *source) Scan() bool {
	for {
		p := s.g.next()
		if p == nil {
			return false
		}
		if p.c != nil {
			s.g.record(p, &s.rec)
			return true
		}
	}
}

func (s *source) Packet() *datasets.Packet { return &s.rec }
func (s *source) Err() error               { return nil }

// Stats summarises a written capture.
type Stats struct {
	// Frames counts every frame written (ARP included).
	Frames int64
	// Packets counts the TCP and UDP packets (the records).
	Packets int64
	// Bytes is the size of the pcap file.
	Bytes int64
	// Start and Stop are the times of the first and last frames.
	Start, Stop time.Time
}

// WritePcap writes the capture as a classic pcap file (Ethernet link type,
// microsecond or, with Config.Nanosecond, nanosecond timestamps).
func (c Capture) WritePcap(ctx context.Context, out io.Writer) (Stats, error) {
	var st Stats
	bw := bufio.NewWriterSize(out, 1<<20)
	var pw *pcapgo.Writer
	if c.w.cfg.Nanosecond {
		pw = pcapgo.NewWriterNanos(bw)
	} else {
		pw = pcapgo.NewWriter(bw)
	}
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return st, fmt.Errorf("synth: %s: %w", c.Path(), err)
	}
	st.Bytes = 24
	g := newGen(c.w, c.ai, c.k)
	wr := newWire()
	for {
		p := g.next()
		if p == nil {
			break
		}
		if g.frame&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		b, err := wr.frame(g, p)
		if err != nil {
			return st, fmt.Errorf("synth: %s: %w", c.Path(), err)
		}
		ts := time.Unix(0, p.t)
		if st.Frames == 0 {
			st.Start = ts
		}
		st.Stop = ts
		ci := gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(b), Length: len(b)}
		if err := pw.WritePacket(ci, b); err != nil {
			return st, fmt.Errorf("synth: %s: frame %d: %w", c.Path(), g.frame, err)
		}
		st.Frames++
		if p.c != nil {
			st.Packets++
		}
		st.Bytes += 16 + int64(len(b))
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("synth: %s: %w", c.Path(), err)
	}
	return st, nil
}

// Manifest describes a generated corpus.
type Manifest struct {
	// Config is the configuration that generated the corpus.
	Config Config
	// Files are the captures, in label then capture order.
	Files []ManifestFile
	// Frames, Packets and Bytes are totals over the files.
	Frames, Packets, Bytes int64
}

// ManifestFile is one capture of a Manifest.
type ManifestFile struct {
	// Path is relative to the corpus root, "<app>/<app>_<k>.pcap".
	Path string
	// Label is the app.
	Label string
	Stats
}

// ManifestName is the file name of the corpus manifest, a CSV with header
// "path,label" and one row per capture.
const ManifestName = "manifest.csv"

// Generate writes the corpus of cfg under dir: one pcap per capture,
// <dir>/<app>/<app>_<k>.pcap, and <dir>/manifest.csv. Captures are
// generated in parallel (cfg.Workers); each file is written to a
// temporary name and renamed when complete.
func Generate(ctx context.Context, cfg Config, dir string) (*Manifest, error) {
	caps, err := Captures(cfg)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Config: cfg, Files: make([]ManifestFile, len(caps))}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	err = workpool.Run(ctx, workers, len(caps), func(ctx context.Context, i int) error {
		c := caps[i]
		path := filepath.Join(dir, filepath.FromSlash(c.Path()))
		st, err := writeFile(path, func(w io.Writer) (Stats, error) { return c.WritePcap(ctx, w) })
		if err != nil {
			return err
		}
		m.Files[i] = ManifestFile{Path: c.Path(), Label: c.App, Stats: st}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, f := range m.Files {
		m.Frames += f.Frames
		m.Packets += f.Packets
		m.Bytes += f.Bytes
	}
	_, err = writeFile(filepath.Join(dir, ManifestName), func(w io.Writer) (Stats, error) {
		cw := csv.NewWriter(w)
		cw.Write([]string{"path", "label"})
		for _, f := range m.Files {
			cw.Write([]string{f.Path, f.Label})
		}
		cw.Flush()
		return Stats{}, cw.Error()
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// writeFile writes path through a temporary file in the same directory and
// renames it into place.
func writeFile(path string, write func(io.Writer) (Stats, error)) (Stats, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return Stats{}, fmt.Errorf("synth: %w", err)
	}
	var st Stats
	err := atomicfile.Write(path, func(w *bufio.Writer) error {
		var err error
		st, err = write(w)
		return err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("synth: %w", err)
	}
	return st, nil
}

// String formats a file's statistics for logs.
func (f ManifestFile) String() string {
	return f.Path + " " + strconv.FormatInt(f.Packets, 10) + " packets"
}
