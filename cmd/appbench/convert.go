package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"appbench/datasets"
	"appbench/internal/atomicfile"
)

// convertOptions are the flags of appbench convert.
type convertOptions struct {
	out         string
	extended    bool
	frameLength bool
	noTLS       bool
}

// newConvertCmd builds the convert subcommand, its flags bound to a
// convertOptions of its own.
func newConvertCmd() *cobra.Command {
	var opts convertOptions
	cmd := &cobra.Command{
		Use:   "convert IN -o OUT.csv",
		Short: "Convert a pcap, pcapng or packet CSV file into a MAppGraph packet CSV",
		Long: `convert reads a capture (pcap or pcapng, optionally gzip-compressed) or a packet
CSV, telling the format from the file's content, and writes the MAppGraph packet CSV:

  ,protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate

one row per TCP or UDP packet in capture order: time in epoch seconds (exact, shortest
decimal), length the IP total length, certificate the hex DER of the server certificate
a TLS handshake completed in that packet (empty otherwise). IPv6 addresses are written
as text; MAppGraph's own graph code cannot parse them and skips such chunks.

The output is written to a temporary file beside OUT and renamed into place, so OUT is
never left half-written; when OUT is a symbolic link, its target is replaced that way.
A device or a FIFO (-o /dev/null, a named pipe) is written directly, and "-o -" writes
to standard output.`,
		Example: `  appbench convert capture.pcapng -o capture.csv
  appbench convert capture.pcap.gz -o - | head
  appbench convert capture.pcap -o capture.csv --extended     # keep frame numbers, frame lengths, SNI
  appbench convert capture.pcap -o capture.csv --frame-length # length = frame length, as the reference "real" chunks`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.out == "" {
				return errors.New("convert: the output file is required (-o OUT.csv, or -o - for standard output)")
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			n, format, err := convertFile(ctx, args[0], opts, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			if opts.out != "-" {
				fmt.Fprintf(cmd.ErrOrStderr(), "converted %s (%s): %d packets to %s\n", args[0], format, n, opts.out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.out, "output", "o", "", `output packet CSV file ("-" for standard output)`)
	f.BoolVar(&opts.extended, "extended", false, `add the columns frame, frame_len and sni (MAppGraph ignores them)`)
	f.BoolVar(&opts.frameLength, "frame-length", false, "write the frame length in the length column instead of the IP total length")
	f.BoolVar(&opts.noTLS, "no-tls", false, "skip TLS parsing (faster; the certificate column stays empty)")
	return cmd
}

// convertFile converts in to the packet CSV opts.out, as atomicfile.Write
// writes it ("-" is stdout). It returns the number of packets written and
// the input's format.
func convertFile(ctx context.Context, in string, opts convertOptions, stdout io.Writer) (n int64, format datasets.Format, err error) {
	src, err := datasets.OpenWith(in, datasets.CaptureOptions{NoTLS: opts.noTLS})
	if err != nil {
		return 0, datasets.FormatUnknown, err
	}
	defer src.Close()
	format = src.Format()

	err = atomicfile.Options{Stdout: stdout}.Write(opts.out, func(w *bufio.Writer) error {
		var err error
		n, err = copyPackets(ctx, src, w, opts)
		return err
	})
	if err != nil {
		return n, format, fmt.Errorf("convert: %w", err)
	}
	return n, format, nil
}

// copyPackets writes every record of src to w as packet CSV.
func copyPackets(ctx context.Context, src datasets.Source, w io.Writer, opts convertOptions) (int64, error) {
	cw := datasets.NewCSVWriter(w)
	cw.Extended = opts.extended
	cw.FrameLength = opts.frameLength
	var n int64
	for src.Scan() {
		if n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		if err := cw.Write(src.Packet()); err != nil {
			return n, err // atomicfile names the output
		}
		n++
	}
	if err := src.Err(); err != nil {
		return n, err
	}
	return n, cw.Flush()
}
