// Package configs holds the experiment files shipped with appbench:
// default.yaml, the quick comparison on a synthetic corpus that
// `appbench run` uses when no file is given, and one file per experiment
// of the MAppGraph and FlowPrint papers, each pointing at a dataset the user
// supplies through an environment variable (see the comments in each
// file).
package configs

import "embed"

// Files holds every experiment file of this folder.
//
//go:embed *.yaml
var Files embed.FS

// DefaultName is the name of the default experiment file.
const DefaultName = "default.yaml"

// Default returns the text of default.yaml.
func Default() []byte {
	b, err := Files.ReadFile(DefaultName)
	if err != nil {
		panic("configs: default.yaml is not embedded: " + err.Error()) // a build error, not input
	}
	return b
}
