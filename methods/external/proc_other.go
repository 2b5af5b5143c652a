//go:build !unix

package external

import "os/exec"

// inGroup leaves cmd as it is: without process groups, cancelling its
// context kills the plugin process only.
func inGroup(*exec.Cmd) {}

// killGroup kills the plugin process (children it started may remain).
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
