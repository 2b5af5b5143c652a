package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"appbench/datasets"
	"appbench/flowprint"
	"appbench/internal/atomicfile"
)

const flowprintUsage = `usage: appbench flowprint [-h]
                    [--fingerprint [FILE] | --detection FLOAT | --recognition]
                    [-b BATCH] [-c CORRELATION] [-s SIMILARITY] [-w WINDOW]
                    [-p PCAPS...] [-r READ...] [-o WRITE] [-l SPLIT] [-a RANDOM]
                    [-t TRAIN...] [-e TEST...] [--full] [--keep-first-cert]
                    [--fixed-batches] [--no-null-cert] [--exact-merge-bound]
                    [--cert-hash]

FlowPrint: Semi-Supervised Mobile-App Fingerprinting on Encrypted Network
Traffic (van Ede et al., NDSS 2020), with the command line of the original
tool. Options take their values as the original does: "-p a.pcap b.pcap"
gives two captures, "--fingerprint FILE" or "--fingerprint=FILE" a file.

FlowPrint mode (select up to one):
  --fingerprint [FILE]       run in raw fingerprint generation mode (default)
                             outputs to terminal or json FILE ("-" for
                             standard output)
  --detection FLOAT          run in unseen app detection mode with threshold
                             FLOAT (0 means fingerprint mode, as in the original)
  --recognition              run in app recognition mode

FlowPrint parameters:
  -b, --batch       FLOAT    batch size in seconds       (default=300)
  -c, --correlation FLOAT    cross-correlation threshold (default=0.1)
  -s, --similarity  FLOAT    similarity threshold        (default=0.9)
  -w, --window      FLOAT    window size in seconds      (default=30)

Flow data input/output (either --pcaps or --read required):
  -p, --pcaps  PATHS...      pcap(ng) files (or packet CSVs, optionally gzip)
                             to run through FlowPrint; label = the path
  -r, --read   PATHS...      read preprocessed flows from given files
  -o, --write  PATH          write preprocessed flows to given file
                             (gzip JSON lines, see package flowprint)
                             Files are replaced atomically (a link's target
                             too); devices, FIFOs and "-" are written directly
  -l, -i, --split FLOAT      fraction of flows to select for testing (default=0)
  -a, --random INT           random state to use for split          (default=42)
  --full                     keep IPv6 packets (the original reads IPv4 only)
  --keep-first-cert          keep a flow's first certificate when a second one
                             appears (the original fails the whole capture)

Corrections of the original's quirks (all off by default):
  --fixed-batches            batches of exactly BATCH seconds (the original
                             cuts the time span into equal-width bins)
  --no-null-cert             no "no certificate" element in fingerprints
  --exact-merge-bound        compare fingerprints of size ratio exactly
                             SIMILARITY for merging (float bound in the original)
  --cert-hash                identify certificates by SHA-256 instead of serial

Train/test input (for --detection/--recognition):
  -t, --train PATHS...       json files containing training fingerprints
  -e, --test  PATHS...       json files containing testing fingerprints

Examples:
  appbench flowprint -p a.pcap b.pcap --fingerprint fp.json
  appbench flowprint -p *.pcap -o flows.jsonl.gz -l 0.5 --fingerprint fp.json
  appbench flowprint -t fp.train.json -e fp.test.json --recognition
  appbench flowprint -t fp.train.json -e fp.test.json --detection 0.1
`

// newFlowprintCmd builds the flowprint subcommand; it parses its own arguments, as the
// original tool does (parseFlowprintArgs).
func newFlowprintCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "flowprint [flags]",
		Short:              "FlowPrint fingerprinting, app recognition and unseen-app detection (original command line)",
		Long:               flowprintUsage,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFlowprint(cmd.OutOrStdout(), cmd.ErrOrStderr(), args)
		},
	}
}

// flowprintShortUsage is the usage line printed above an argument error.
const flowprintShortUsage = "usage: appbench flowprint [-h] (-p PCAPS... | -r READ... | -t TRAIN... -e TEST...) [options]"

// flowprintArgError prints an argument error as argparse does, the usage
// line then "appbench flowprint: error: ...", and returns it as a
// usageError (exit status 2).
func flowprintArgError(stderr io.Writer, err error) error {
	fmt.Fprintln(stderr, flowprintShortUsage)
	fmt.Fprintf(stderr, "appbench flowprint: error: %v\n", err)
	return &usageError{fmt.Errorf("flowprint: %w", err)}
}

func runFlowprint(stdout, stderr io.Writer, args []string) error {
	a, err := parseFlowprintArgs(args)
	if err != nil {
		return flowprintArgError(stderr, err)
	}
	if a.help {
		fmt.Fprint(stdout, flowprintUsage)
		return nil
	}
	// A detection threshold of 0 is falsy in the original and selects
	// fingerprint mode.
	detection := a.detectionSet && a.detection != 0
	if !detection && !a.recognition {
		if len(a.pcaps) == 0 && len(a.read) == 0 {
			return flowprintArgError(stderr, errors.New("fingerprint mode requires input data, please specify --pcaps or --read arguments"))
		}
		if err := a.params.Validate(); err != nil {
			return flowprintArgError(stderr, errors.New(strings.TrimPrefix(err.Error(), "flowprint: ")))
		}
		return flowprintFingerprint(stdout, stderr, a)
	}
	if len(a.train) == 0 || len(a.test) == 0 {
		return flowprintArgError(stderr, errors.New("--detection/--recognition require training and testing fingerprints, please specify --train and --test arguments"))
	}
	model := flowprint.NewModel(a.params)
	if err := model.LoadJSON(a.train...); err != nil {
		return err
	}
	tests, err := flowprint.LoadTestJSON(a.test...)
	if err != nil {
		return err
	}
	fps := make([]flowprint.Fingerprint, len(tests))
	for i, e := range tests {
		fps[i] = e.Fingerprint
	}
	preds := make([]string, len(tests))
	if detection {
		flags, err := model.Detect(fps, a.detection)
		if err != nil {
			return err
		}
		for i, f := range flags {
			preds[i] = strconv.Itoa(f)
		}
	} else {
		if preds, err = model.Recognize(fps); err != nil {
			return err
		}
	}
	return flowprint.WriteMatchReport(stdout, tests, preds)
}

// flowprintReadCapture reads one packet file into flows labelled with its
// path.
func flowprintReadCapture(path string, opts flowprint.FlowOptions) ([]flowprint.Flow, error) {
	f, err := datasets.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return flowprint.FlowsFromSource(f, path, opts)
}

// flowprintInputs reads the flows of every capture and flow file. As the
// original, a capture that fails to read is skipped with a message; but
// when no input at all could be read, that is an error.
func flowprintInputs(stderr io.Writer, a *flowprintArgs, opts flowprint.FlowOptions) ([]flowprint.Flow, error) {
	var flows []flowprint.Flow
	read := 0
	for _, p := range a.pcaps {
		fl, err := flowprintReadCapture(p, opts)
		switch {
		case err != nil && errors.Is(err, datasets.ErrMalformed):
			// A damaged capture: tshark reports the packets before the
			// damage and the original keeps them, with a warning.
			fmt.Fprintf(stderr, "Warning: %v (keeping the %d flows read before)\n", err, len(fl))
		case err != nil:
			// The original skips a capture that fails to read.
			fmt.Fprintf(stderr, "Reading %s failed: '%v'\n", p, err)
			continue
		}
		read++
		flows = append(flows, fl...)
	}
	if read == 0 && len(a.read) == 0 {
		return nil, fmt.Errorf("flowprint: no input could be read: every capture given (%d) failed to read", len(a.pcaps))
	}
	for _, r := range a.read {
		fl, err := flowprint.LoadFlows(r)
		if err != nil {
			return nil, err
		}
		flows = append(flows, fl...)
	}
	return flows, nil
}

// partPath inserts the part of a split ("train", "test") before the
// extension of the fingerprint file: fp.json becomes fp.train.json. "-"
// (standard output) stays "-".
func partPath(file, kind string) string {
	if kind == "" || file == "-" {
		return file
	}
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + "." + kind + ext
}

func flowprintFingerprint(stdout, stderr io.Writer, a *flowprintArgs) error {
	opts := flowprint.FlowOptions{Mode: flowprint.Reference, CertConflict: flowprint.CertConflictError}
	if a.full {
		opts.Mode = flowprint.Full
	}
	if a.keepFirstCert {
		opts.CertConflict = flowprint.CertKeepFirst
	}
	opts.CertificateHash = a.certHash
	flows, err := flowprintInputs(stderr, a, opts)
	if err != nil {
		return err
	}
	if a.write != "" {
		err := atomicfile.Options{Stdout: stdout}.Write(a.write, func(w *bufio.Writer) error {
			return flowprint.WriteFlows(w, flows)
		})
		if err != nil {
			return fmt.Errorf("flowprint: %w", err)
		}
	}
	type part struct {
		kind  string
		flows []flowprint.Flow
	}
	parts := []part{{"", flows}}
	if a.split != 0 {
		train, test, err := flowprint.SplitFlows(flows, a.split, uint64(a.random))
		if err != nil {
			return err
		}
		parts = []part{{"train", train}, {"test", test}}
	}
	for _, p := range parts {
		labels := make([]string, len(p.flows))
		for i := range p.flows {
			labels[i] = p.flows[i].Label
		}
		model := flowprint.NewModel(a.params)
		model.BatchIsFloat, model.WindowIsFloat = a.batchGiven, a.windowGiven
		if len(p.flows) > 0 {
			if err := model.Fit(p.flows, labels); err != nil {
				return err
			}
		}
		if a.fingerprint == "" {
			if err := flowprint.WriteFingerprints(stdout, model, p.kind); err != nil {
				return err
			}
			continue
		}
		out := partPath(a.fingerprint, p.kind)
		err := atomicfile.Options{Stdout: stdout}.Write(out, func(w *bufio.Writer) error {
			return model.WriteJSON(w)
		})
		if err != nil {
			return fmt.Errorf("flowprint: %w", err)
		}
		if out != "-" {
			fmt.Fprintf(stdout, "Fingerprints saved to %s\n", out)
		}
	}
	return nil
}
