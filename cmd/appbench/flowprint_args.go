package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"appbench/flowprint"
)

// flowprintArgs are the parsed command-line options.
type flowprintArgs struct {
	fingerprintSet bool
	fingerprint    string
	detection      float64
	detectionSet   bool
	recognition    bool
	params         flowprint.Params
	batchGiven     bool
	windowGiven    bool
	pcaps, read    []string
	write          string
	split          float64
	random         int64
	train, test    []string
	full           bool
	keepFirstCert  bool
	certHash       bool
	help           bool
}

// parseFlowprintArgs parses arguments with the original's argparse
// semantics: options with several values take every following argument up
// to the next option; --fingerprint takes an optional value.
func parseFlowprintArgs(args []string) (*flowprintArgs, error) {
	a := &flowprintArgs{params: flowprint.DefaultParams(), random: 42}
	s := &argScanner{args: args, i: -1}
	for s.next() {
		arg := s.args[s.i]
		if !isArgOption(arg) {
			return nil, fmt.Errorf("unrecognized argument %q", arg)
		}
		set := flowprintOption(s.name)
		if set == nil {
			return nil, fmt.Errorf("unrecognized argument %q", arg)
		}
		if err := set(a, s); err != nil {
			return nil, err
		}
	}
	modes := 0
	for _, set := range []bool{a.fingerprintSet, a.detectionSet, a.recognition} {
		if set {
			modes++
		}
	}
	if modes > 1 {
		return nil, errors.New("arguments --fingerprint, --detection and --recognition are mutually exclusive")
	}
	return a, nil
}

// isArgOption tells an option from a value: it starts with "-" and is not
// a negative number.
func isArgOption(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err != nil
}

// argScanner walks a command line as argparse does. At each option, name
// is the option and inline its "=value" part, if any; the value methods
// take the option's values, inline or from the arguments that follow.
type argScanner struct {
	args      []string
	i         int // the argument at hand
	name      string
	inline    string
	hasInline bool
}

// next moves to the next argument and splits it at "=", false at the end.
func (s *argScanner) next() bool {
	s.i++
	if s.i >= len(s.args) {
		return false
	}
	s.name, s.inline, s.hasInline = strings.Cut(s.args[s.i], "=")
	return true
}

// valueFollows tells whether the next argument is a value.
func (s *argScanner) valueFollows() bool {
	return s.i+1 < len(s.args) && !isArgOption(s.args[s.i+1])
}

// one takes the option's single value.
func (s *argScanner) one() (string, error) {
	if s.hasInline {
		return s.inline, nil
	}
	if !s.valueFollows() {
		return "", fmt.Errorf("argument %s: expected one argument", s.name)
	}
	s.i++
	return s.args[s.i], nil
}

// optional takes the option's value if it has one into dst, and leaves
// dst as it is otherwise.
func (s *argScanner) optional(dst *string) {
	switch {
	case s.hasInline:
		*dst = s.inline
	case s.valueFollows():
		s.i++
		*dst = s.args[s.i]
	}
}

// many takes the option's values: every argument up to the next option,
// at least one.
func (s *argScanner) many() ([]string, error) {
	var out []string
	if s.hasInline {
		out = append(out, s.inline)
	}
	for s.valueFollows() {
		s.i++
		out = append(out, s.args[s.i])
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("argument %s: expected at least one argument", s.name)
	}
	return out, nil
}

// float takes the option's value as a number.
func (s *argScanner) float(dst *float64) error {
	v, err := s.one()
	if err != nil {
		return err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return fmt.Errorf("argument %s: invalid float value: %q", s.name, v)
	}
	*dst = f
	return nil
}

// int64 takes the option's value as an integer.
func (s *argScanner) int64(dst *int64) error {
	v, err := s.one()
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("argument %s: invalid int value: %q", s.name, v)
	}
	*dst = n
	return nil
}

// optionSetter reads an option's values from s into a.
type optionSetter func(a *flowprintArgs, s *argScanner) error

// flowprintOption returns the setter of the named option, nil for an
// unknown one.
func flowprintOption(name string) optionSetter {
	for _, o := range flowprintOptions {
		for _, n := range o.names {
			if n == name {
				return o.set
			}
		}
	}
	return nil
}

// on returns a setter that turns on the flag field selects.
func on(field func(a *flowprintArgs) *bool) optionSetter {
	return func(a *flowprintArgs, _ *argScanner) error {
		*field(a) = true
		return nil
	}
}

// flowprintOptions are the options of appbench flowprint, by their names
// (flowprintUsage documents them).
var flowprintOptions = []struct {
	names []string
	set   optionSetter
}{
	// Mode.
	{[]string{"-h", "--help"}, on(func(a *flowprintArgs) *bool { return &a.help })},
	{[]string{"--fingerprint"}, func(a *flowprintArgs, s *argScanner) error {
		a.fingerprintSet = true
		s.optional(&a.fingerprint)
		return nil
	}},
	{[]string{"--detection"}, func(a *flowprintArgs, s *argScanner) error {
		a.detectionSet = true
		return s.float(&a.detection)
	}},
	{[]string{"--recognition"}, on(func(a *flowprintArgs) *bool { return &a.recognition })},
	// FlowPrint parameters.
	{[]string{"-b", "--batch"}, func(a *flowprintArgs, s *argScanner) error {
		a.batchGiven = true
		return s.float(&a.params.Batch)
	}},
	{[]string{"-c", "--correlation"}, func(a *flowprintArgs, s *argScanner) error { return s.float(&a.params.Correlation) }},
	{[]string{"-s", "--similarity"}, func(a *flowprintArgs, s *argScanner) error { return s.float(&a.params.Similarity) }},
	{[]string{"-w", "--window"}, func(a *flowprintArgs, s *argScanner) error {
		a.windowGiven = true
		return s.float(&a.params.Window)
	}},
	// Flow data input and output.
	{[]string{"-p", "--pcaps"}, func(a *flowprintArgs, s *argScanner) (err error) { a.pcaps, err = s.many(); return err }},
	{[]string{"-r", "--read"}, func(a *flowprintArgs, s *argScanner) (err error) { a.read, err = s.many(); return err }},
	{[]string{"-o", "--write"}, func(a *flowprintArgs, s *argScanner) (err error) { a.write, err = s.one(); return err }},
	{[]string{"-l", "-i", "--split"}, func(a *flowprintArgs, s *argScanner) error { return s.float(&a.split) }},
	{[]string{"-a", "--random"}, func(a *flowprintArgs, s *argScanner) error { return s.int64(&a.random) }},
	{[]string{"--full"}, on(func(a *flowprintArgs) *bool { return &a.full })},
	{[]string{"--keep-first-cert"}, on(func(a *flowprintArgs) *bool { return &a.keepFirstCert })},
	// Corrections of the original's quirks.
	{[]string{"--fixed-batches"}, on(func(a *flowprintArgs) *bool { return &a.params.FixedBatches })},
	{[]string{"--no-null-cert"}, on(func(a *flowprintArgs) *bool { return &a.params.NoNullCertificate })},
	{[]string{"--exact-merge-bound"}, on(func(a *flowprintArgs) *bool { return &a.params.MergeBoundExact })},
	{[]string{"--cert-hash"}, on(func(a *flowprintArgs) *bool { return &a.certHash })},
	// Train and test input.
	{[]string{"-t", "--train"}, func(a *flowprintArgs, s *argScanner) (err error) { a.train, err = s.many(); return err }},
	{[]string{"-e", "--test"}, func(a *flowprintArgs, s *argScanner) (err error) { a.test, err = s.many(); return err }},
}
