//go:build !unix

package main

import "errors"

// mkfifo cannot make FIFOs on this system.
func mkfifo(string) error { return errors.New("no FIFOs on this system") }
