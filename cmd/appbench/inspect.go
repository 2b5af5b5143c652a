package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"appbench/datasets"
)

// topDestinations is how many destinations inspect lists.
const topDestinations = 10

// fileSummary is what appbench inspect reports about one file.
type fileSummary struct {
	File       string `json:"file"`
	Error      string `json:"error,omitempty"`
	Format     string `json:"format"`
	Compressed bool   `json:"compressed,omitempty"`
	// Frames counts every frame of a capture (TCP/UDP or not) and every
	// row of a packet CSV.
	Frames  int64 `json:"frames"`
	Packets int64 `json:"packets"`
	TCP     int64 `json:"tcp_packets"`
	UDP     int64 `json:"udp_packets"`
	Other   int64 `json:"other_packets,omitempty"`
	// First and Last are the earliest and latest packet times (RFC 3339,
	// UTC); DurationS is their difference in seconds.
	First     string  `json:"first,omitempty"`
	Last      string  `json:"last,omitempty"`
	DurationS float64 `json:"duration_s"`
	// TCPStreams and UDPStreams count distinct stream indices.
	TCPStreams int `json:"tcp_streams"`
	UDPStreams int `json:"udp_streams"`
	// Destinations counts distinct service endpoints; TopDestinations
	// lists the busiest by packets.
	Destinations    int                    `json:"destinations"`
	TopDestinations []endpointCount        `json:"top_destinations"`
	Certificates    []certificateSummary   `json:"certificates"`
	SNI             []nameCount            `json:"sni"`
	Capture         *datasets.CaptureStats `json:"capture_stats,omitempty"`
}

type endpointCount struct {
	Endpoint string `json:"endpoint"`
	Packets  int64  `json:"packets"`
}

type nameCount struct {
	Name    string `json:"name"`
	Packets int64  `json:"packets"`
}

// certificateSummary describes one distinct certificate.
type certificateSummary struct {
	SubjectCN string `json:"subject_cn"`
	IssuerCN  string `json:"issuer_cn,omitempty"`
	// Serial is the serial number in decimal (FlowPrint's certificate
	// identity).
	Serial string `json:"serial,omitempty"`
	// SHA256 is the fingerprint of the certificate bytes.
	SHA256 string `json:"sha256"`
	// ParseError says why the bytes are not an X.509 certificate.
	ParseError string `json:"parse_error,omitempty"`
	Packets    int64  `json:"packets"`
}

// newInspectCmd builds the inspect subcommand.
func newInspectCmd() *cobra.Command {
	var asJSON, noTLS bool
	cmd := &cobra.Command{
		Use:   "inspect FILE...",
		Short: "Summarise captures and packet CSV files",
		Long: `inspect reads each FILE (pcap, pcapng or packet CSV, optionally gzip-compressed; the
format is told from the content) and prints: format, frames, TCP and UDP packets, time span,
streams, the busiest destinations, the TLS server certificates (subject CN, serial number,
packets) and the TLS server names (SNI).

A destination is the service side of a packet, the endpoint with the lower port (the
destination when both ports are equal), as in MAppGraph's node keys. Certificates are
parsed with crypto/x509; bytes that do not parse (opaque CSV values) are listed by their
SHA-256 with the parse error.

A file that cannot be read is reported and the others are still inspected; the command
then fails.`,
		Example: `  appbench inspect capture.pcapng
  appbench inspect corpus/zoom/*.pcap --json | jq '.[].tcp_packets'
  appbench inspect samples/among_us_1_3.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			var sums []fileSummary
			failed := 0
			for _, path := range args {
				s, err := inspectFile(ctx, path, datasets.CaptureOptions{NoTLS: noTLS})
				if err != nil {
					if ctx.Err() != nil {
						return err
					}
					s.Error = err.Error()
					failed++
				}
				sums = append(sums, s)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(sums); err != nil {
					return err
				}
			} else if err := printSummaries(out, sums); err != nil {
				return err
			}
			if failed > 0 {
				return fmt.Errorf("inspect: %d of %d files could not be read", failed, len(args))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array with one object per file")
	cmd.Flags().BoolVar(&noTLS, "no-tls", false, "skip TLS parsing (faster; no certificates or SNI)")
	return cmd
}

// serviceEndpoint returns the service side of a packet: the endpoint with
// the lower port, the destination when the ports are equal.
func serviceEndpoint(p *datasets.Packet) netip.AddrPort {
	if p.SrcPort < p.DstPort {
		return netip.AddrPortFrom(p.Src, p.SrcPort)
	}
	return netip.AddrPortFrom(p.Dst, p.DstPort)
}

// inspectFile reads one file and summarises it. On a read error the summary
// holds what was read before it.
func inspectFile(ctx context.Context, path string, opts datasets.CaptureOptions) (fileSummary, error) {
	s := fileSummary{File: path, Format: datasets.FormatUnknown.String(), TopDestinations: []endpointCount{}, Certificates: []certificateSummary{}, SNI: []nameCount{}}
	f, err := datasets.OpenWith(path, opts)
	if err != nil {
		return s, err
	}
	defer f.Close()
	s.Format, s.Compressed = f.Format().String(), f.Compressed()
	t := newCaptureTally()
	for f.Scan() {
		if t.packets&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return s, err
			}
		}
		t.add(f.Packet())
	}
	readErr := f.Err()
	t.summarise(&s)
	if st, ok := f.CaptureStats(); ok {
		s.Frames = st.Frames
		s.Capture = &st
	} else {
		s.Frames = s.Packets
	}
	return s, readErr
}

// streamKey names a stream: its protocol and stream number.
type streamKey struct {
	proto  datasets.Protocol
	stream int64
}

// captureTally counts what inspect reports as the packets of a file
// stream by.
type captureTally struct {
	packets, tcp, udp, other int64
	first, last              int64 // packet times, Unix nanoseconds
	streams                  map[streamKey]struct{}
	dests                    map[netip.AddrPort]int64
	certs                    map[string]int64 // packets by certificate DER
	certOrder                []string         // the certificates in order of first sight
	snis                     map[string]int64
}

func newCaptureTally() *captureTally {
	return &captureTally{
		streams: make(map[streamKey]struct{}),
		dests:   make(map[netip.AddrPort]int64),
		certs:   make(map[string]int64),
		snis:    make(map[string]int64),
	}
}

// add counts one packet.
func (t *captureTally) add(p *datasets.Packet) {
	if t.packets == 0 || p.Time < t.first {
		t.first = p.Time
	}
	if t.packets == 0 || p.Time > t.last {
		t.last = p.Time
	}
	t.packets++
	switch p.Proto {
	case datasets.TCP:
		t.tcp++
	case datasets.UDP:
		t.udp++
	default:
		t.other++
	}
	if p.Stream >= 0 {
		t.streams[streamKey{p.Proto, p.Stream}] = struct{}{}
	}
	t.dests[serviceEndpoint(p)]++
	if len(p.Cert) > 0 {
		k := string(p.Cert)
		if t.certs[k] == 0 {
			t.certOrder = append(t.certOrder, k)
		}
		t.certs[k]++
	}
	if p.SNI != "" {
		t.snis[p.SNI]++
	}
}

// summarise writes the counts into s: packets, time span, streams, the
// busiest destinations, the certificates and the server names, each list
// busiest first.
func (t *captureTally) summarise(s *fileSummary) {
	s.Packets, s.TCP, s.UDP, s.Other = t.packets, t.tcp, t.udp, t.other
	if t.packets > 0 {
		s.First = time.Unix(0, t.first).UTC().Format(time.RFC3339Nano)
		s.Last = time.Unix(0, t.last).UTC().Format(time.RFC3339Nano)
		s.DurationS = float64(t.last-t.first) / 1e9
	}
	for k := range t.streams {
		if k.proto == datasets.UDP {
			s.UDPStreams++
		} else if k.proto == datasets.TCP {
			s.TCPStreams++
		}
	}
	s.Destinations = len(t.dests)
	s.TopDestinations = append(s.TopDestinations, t.topDestinations()...)
	for _, der := range t.certOrder {
		s.Certificates = append(s.Certificates, describeCertificate([]byte(der), t.certs[der]))
	}
	sort.SliceStable(s.Certificates, func(i, j int) bool { return s.Certificates[i].Packets > s.Certificates[j].Packets })
	for name, n := range t.snis {
		s.SNI = append(s.SNI, nameCount{name, n})
	}
	sort.Slice(s.SNI, func(i, j int) bool {
		if s.SNI[i].Packets != s.SNI[j].Packets {
			return s.SNI[i].Packets > s.SNI[j].Packets
		}
		return s.SNI[i].Name < s.SNI[j].Name
	})
}

// topDestinations returns the topDestinations busiest destinations, by
// packets then endpoint.
func (t *captureTally) topDestinations() []endpointCount {
	top := make([]endpointCount, 0, len(t.dests))
	for ep, n := range t.dests {
		top = append(top, endpointCount{ep.String(), n})
	}
	sort.Slice(top, func(i, j int) bool {
		a, b := top[i], top[j]
		if a.Packets != b.Packets {
			return a.Packets > b.Packets
		}
		return a.Endpoint < b.Endpoint
	})
	if len(top) > topDestinations {
		top = top[:topDestinations]
	}
	return top
}

// describeCertificate parses DER bytes with crypto/x509.
func describeCertificate(der []byte, packets int64) certificateSummary {
	sum := sha256.Sum256(der)
	c := certificateSummary{SHA256: hex.EncodeToString(sum[:]), Packets: packets}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		c.ParseError = err.Error()
		return c
	}
	c.SubjectCN = cert.Subject.CommonName
	c.IssuerCN = cert.Issuer.CommonName
	if cert.SerialNumber != nil {
		c.Serial = cert.SerialNumber.String()
	}
	return c
}

// printSummaries writes the human-readable report.
func printSummaries(out io.Writer, sums []fileSummary) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for i, s := range sums {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\n", s.File)
		if s.Error != "" {
			fmt.Fprintf(tw, "  error\t%s\n", s.Error)
			if s.Packets == 0 {
				continue
			}
		}
		format := s.Format
		if s.Compressed {
			format += " (gzip)"
		}
		fmt.Fprintf(tw, "  format\t%s\n", format)
		fmt.Fprintf(tw, "  frames\t%d\n", s.Frames)
		other := ""
		if s.Other > 0 {
			other = fmt.Sprintf(", other %d", s.Other)
		}
		fmt.Fprintf(tw, "  packets\t%d (TCP %d, UDP %d%s)\n", s.Packets, s.TCP, s.UDP, other)
		if s.Packets > 0 {
			fmt.Fprintf(tw, "  time\t%s .. %s (%.6f s)\n", s.First, s.Last, s.DurationS)
		}
		fmt.Fprintf(tw, "  streams\tTCP %d, UDP %d\n", s.TCPStreams, s.UDPStreams)
		fmt.Fprintf(tw, "  destinations\t%d", s.Destinations)
		if s.Destinations > len(s.TopDestinations) {
			fmt.Fprintf(tw, " (top %d by packets)", len(s.TopDestinations))
		}
		fmt.Fprintln(tw)
		for _, d := range s.TopDestinations {
			fmt.Fprintf(tw, "  \t%d\t%s\n", d.Packets, d.Endpoint)
		}
		fmt.Fprintf(tw, "  certificates\t%d\n", len(s.Certificates))
		for _, c := range s.Certificates {
			if c.ParseError != "" {
				fmt.Fprintf(tw, "  \t%d\tsha256 %s\t(not X.509: %s)\n", c.Packets, c.SHA256[:16], c.ParseError)
				continue
			}
			fmt.Fprintf(tw, "  \t%d\tCN=%s\tserial %s\tissuer CN=%s\n", c.Packets, c.SubjectCN, c.Serial, c.IssuerCN)
		}
		fmt.Fprintf(tw, "  SNI names\t%d\n", len(s.SNI))
		for _, n := range s.SNI {
			fmt.Fprintf(tw, "  \t%d\t%s\n", n.Packets, strings.ToValidUTF8(n.Name, "?"))
		}
		if st := s.Capture; st != nil {
			fmt.Fprintf(tw, "  skipped frames\tlink type %d, not IP %d, not TCP/UDP %d, fragments %d, malformed %d\n",
				st.SkippedLinkType, st.SkippedNotIP, st.SkippedNotTransport, st.SkippedFragment, st.SkippedMalformed)
		}
	}
	return tw.Flush()
}
