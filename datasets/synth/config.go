package synth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config describes a synthetic corpus. The zero value is not usable; start
// from DefaultConfig and change what you need. Every field has a YAML tag for
// experiment files.
//
// The same Config (Workers aside) always produces byte-identical captures.
type Config struct {
	// Apps is the number of apps (labels) in the corpus.
	Apps int `yaml:"apps"`
	// CapturesPerApp is the number of capture files generated per app.
	CapturesPerApp int `yaml:"captures_per_app"`
	// Duration is the length of each capture.
	Duration time.Duration `yaml:"duration"`
	// Seed drives every random choice: destinations, certificates,
	// profiles and traffic.
	Seed uint64 `yaml:"seed"`
	// Start is the timestamp of the first capture; later captures start
	// on later days.
	Start time.Time `yaml:"start"`

	// DestinationsPerApp is the number of services (host names) of an
	// app's own; each has one to three server addresses.
	DestinationsPerApp int `yaml:"destinations_per_app"`
	// SharedDestinations is the size of the pool of third-party services
	// (CDNs, analytics, ads, social SDKs) that several apps talk to. Each
	// app uses about half of the pool.
	SharedDestinations int `yaml:"shared_destinations"`
	// Overlap is the probability, in [0, 1], that a request of an app goes
	// to a shared service rather than to one of its own. Shared services
	// answer with their own traffic profile whatever the app, so a higher
	// overlap makes apps harder to tell apart.
	Overlap float64 `yaml:"overlap"`
	// Hosting is the fraction, in [0, 1], of the apps' own services hosted
	// behind shared front-end addresses (cloud load balancers, CDN edges):
	// services of different apps then share IP addresses and ports but
	// keep their own host names and certificates.
	Hosting float64 `yaml:"hosting"`
	// Noise is the rate of background flows not caused by the app (QUIC
	// sessions to UDP 443, connectivity checks, system TLS services), in
	// flows per minute. Noise > 0 also opens a long-lived push-service
	// connection on TCP 5228 in every capture. 0 disables background
	// traffic (ARP and DNS remain).
	Noise float64 `yaml:"noise"`
	// TLS13Fraction is the fraction, in [0, 1], of TLS services that
	// negotiate TLS 1.3 (their certificate is encrypted and invisible);
	// the others negotiate TLS 1.2 and send their certificate chain in the
	// clear.
	TLS13Fraction float64 `yaml:"tls13_fraction"`
	// IPv6Fraction is the fraction, in [0, 1], of services that have IPv6
	// addresses; clients on IPv6-capable networks reach them over IPv6.
	IPv6Fraction float64 `yaml:"ipv6_fraction"`
	// IPv6Captures is the fraction, in [0, 1], of captures made on an
	// IPv6-capable network; the others use IPv4 only. (The MAppGraph
	// reference drops every chunk holding an IPv6 packet, so IPv6 is kept
	// to a minority of captures by default.)
	IPv6Captures float64 `yaml:"ipv6_captures"`
	// LongPauses is the probability, in [0, 1], that a usage session is
	// followed by a long pause (one to four minutes) in which the app sits
	// in the background and only background traffic flows; time windows
	// inside such a pause carry nothing of the app.
	LongPauses float64 `yaml:"long_pauses"`
	// Activity scales how busy apps are: the number of usage sessions per
	// capture is proportional to it. Use it (or Duration) to reach a
	// packet budget.
	Activity float64 `yaml:"activity"`
	// Nanosecond writes pcap files with nanosecond timestamps instead of
	// microsecond ones. Packet times are multiples of a microsecond unless
	// this is set.
	Nanosecond bool `yaml:"nanosecond"`
	// Workers bounds the captures generated in parallel by Generate (0:
	// GOMAXPROCS). It does not change the output.
	Workers int `yaml:"workers"`
}

// DefaultConfig returns the default corpus: 10 apps x 4 captures x 10
// minutes, about 100k packets, with shared services and background noise
// that keep classifiers clearly below 100% accuracy.
func DefaultConfig() Config {
	return Config{
		Apps:               10,
		CapturesPerApp:     4,
		Duration:           10 * time.Minute,
		Seed:               1,
		Start:              time.Date(2025, time.March, 3, 9, 0, 0, 0, time.UTC),
		DestinationsPerApp: 6,
		SharedDestinations: 12,
		Overlap:            0.4,
		Hosting:            0.5,
		Noise:              3,
		TLS13Fraction:      0.3,
		IPv6Fraction:       0.3,
		IPv6Captures:       0.25,
		LongPauses:         0.3,
		Activity:           1,
	}
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("invalid synthetic corpus configuration")

// Validate reports the first field of c that is out of range, by its YAML
// name.
func (c *Config) Validate() error {
	bad := func(key string, format string, args ...any) error {
		return fmt.Errorf("synth: %w: %s: %s", ErrConfig, key, fmt.Sprintf(format, args...))
	}
	frac := func(key string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return bad(key, "%v is not in [0, 1]", v)
		}
		return nil
	}
	switch {
	case c.Apps < 1 || c.Apps > 10000:
		return bad("apps", "%d is not in [1, 10000]", c.Apps)
	case c.CapturesPerApp < 1 || c.CapturesPerApp > 10000:
		return bad("captures_per_app", "%d is not in [1, 10000]", c.CapturesPerApp)
	case c.Duration < time.Second || c.Duration > 7*24*time.Hour:
		return bad("duration", "%v is not in [1s, 168h]", c.Duration)
	case c.DestinationsPerApp < 1 || c.DestinationsPerApp > 1000:
		return bad("destinations_per_app", "%d is not in [1, 1000]", c.DestinationsPerApp)
	case c.SharedDestinations < 0 || c.SharedDestinations > 1000:
		return bad("shared_destinations", "%d is not in [0, 1000]", c.SharedDestinations)
	case !(c.Noise >= 0 && c.Noise <= 600):
		return bad("noise", "%v is not in [0, 600] flows per minute", c.Noise)
	case !(c.Activity > 0 && c.Activity <= 1000):
		return bad("activity", "%v is not in (0, 1000]", c.Activity)
	case c.Workers < 0:
		return bad("workers", "%d is negative", c.Workers)
	case c.Start.Year() < 1971 || c.Start.Year() > 2100:
		return bad("start", "%v is not between 1971 and 2100", c.Start)
	}
	fracs := []struct {
		key string
		v   float64
	}{
		{"overlap", c.Overlap}, {"long_pauses", c.LongPauses}, {"hosting", c.Hosting},
		{"tls13_fraction", c.TLS13Fraction}, {"ipv6_fraction", c.IPv6Fraction}, {"ipv6_captures", c.IPv6Captures},
	}
	for _, f := range fracs {
		if err := frac(f.key, f.v); err != nil {
			return err
		}
	}
	if n := c.Apps * c.DestinationsPerApp; n > 100000 {
		return bad("destinations_per_app", "apps x destinations_per_app = %d services is more than 100000", n)
	}
	if c.Overlap > 0 && c.SharedDestinations == 0 {
		return bad("overlap", "%v > 0 needs shared_destinations > 0", c.Overlap)
	}
	return nil
}

// ParseConfig decodes a YAML configuration over the defaults: keys left out
// keep their DefaultConfig value, unknown keys are errors. name is used in
// error messages.
func ParseConfig(data []byte, name string) (Config, error) {
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("synth: %s: %w", name, err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}

// LoadConfig reads a YAML configuration file (see ParseConfig).
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return DefaultConfig(), fmt.Errorf("synth: %w", err)
	}
	return ParseConfig(data, path)
}
