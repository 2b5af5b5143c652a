package synth_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"appbench/datasets/synth"
)

// Captures streams the corpus from memory: no file is written.
func ExampleCaptures() {
	cfg := synth.DefaultConfig()
	cfg.Apps, cfg.CapturesPerApp, cfg.Duration = 2, 2, time.Minute
	caps, err := synth.Captures(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range caps {
		src := c.Source()
		n := 0
		for src.Scan() {
			n++
		}
		fmt.Println(c.App, c.Path(), n > 0, src.Err())
	}
	// Output:
	// chatter chatter/chatter_1.pcap true <nil>
	// chatter chatter/chatter_2.pcap true <nil>
	// newsfeed newsfeed/newsfeed_1.pcap true <nil>
	// newsfeed newsfeed/newsfeed_2.pcap true <nil>
}

// Generate writes the labeled corpus and its manifest.
func ExampleGenerate() {
	dir, err := os.MkdirTemp("", "corpus")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cfg, err := synth.ParseConfig([]byte("apps: 3\ncaptures_per_app: 1\nduration: 30s\nseed: 42\n"), "example.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := synth.Generate(context.Background(), cfg, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range m.Files {
		_, err := os.Stat(filepath.Join(dir, f.Path))
		fmt.Println(f.Path, f.Label, err)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, synth.ManifestName))
	fmt.Print(string(manifest))
	// Output:
	// chatter/chatter_1.pcap chatter <nil>
	// newsfeed/newsfeed_1.pcap newsfeed <nil>
	// mapsy/mapsy_1.pcap mapsy <nil>
	// path,label
	// chatter/chatter_1.pcap,chatter
	// newsfeed/newsfeed_1.pcap,newsfeed
	// mapsy/mapsy_1.pcap,mapsy
}
