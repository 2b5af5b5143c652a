package synth

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"time"
)

// kind is the application protocol a service speaks.
type kind uint8

const (
	kindTLS  kind = iota // TLS 1.2 or 1.3 over TCP 443
	kindHTTP             // plain HTTP/1.1 over TCP (port 80 or 8080)
	kindPush             // opaque long-lived push channel over TCP 5228
	kindQUIC             // QUIC-like datagrams over UDP 443
)

// sizes is a traffic profile: request and response sizes (application
// bytes, before TLS framing) and burst shape.
type sizes struct {
	reqMu, reqSigma     float64 // log-normal request size
	smallMu, smallSigma float64 // log-normal small (API) response size
	bigMu, bigSigma     float64 // log-normal large (media) response size
	bigProb             float64 // probability of a large response
	procMs              float64 // mean server processing time
}

// dest is one service: a host name, its addresses, port, protocol, server
// certificate chain and network characteristics.
type dest struct {
	id    int
	host  string
	port  uint16
	kind  kind
	tls13 bool
	v4    []netip.Addr
	v6    []netip.Addr // non-empty: clients reach the service over IPv6
	chain [][]byte     // DER certificates, leaf first (TLS services)
	rtt   float64      // round-trip time in milliseconds
	mss   int          // server MSS option value
	ttl   uint8        // server IP TTL / hop limit as seen by the client
	idle  float64      // keep-alive: seconds of idleness before closing
	reuse float64      // probability a request reuses an open connection
	recSz int          // TLS record size for application data
	prof  sizes        // profile of a shared service (used whatever the app)
}

// app is one label: its own services and the shared ones it uses, and its
// usage rhythm.
type app struct {
	name         string
	own          []*dest
	ownW         []float64
	ownP         []sizes // traffic profile of each own service
	shared       []*dest
	sharedW      []float64
	prof         sizes
	gapMean      float64 // mean idle gap between bursts, seconds (added to 1.2 s)
	spread       float64 // mean spacing of requests in a burst, seconds
	burstsMean   float64 // mean bursts per session
	reqsMean     float64 // mean requests per burst
	pauseMean    float64 // mean pause between sessions, seconds
	userAgent    string
	sessionFirst float64 // mean delay before the first session, seconds
}

// world is everything shared by the captures of one configuration.
type world struct {
	cfg        Config
	apps       []*app
	shared     []*dest
	push       *dest
	connCheck  *dest
	quic       []*dest
	system     []*dest
	resolvers4 []netip.Addr
}

// appNames are the labels of the first apps; further apps are named appNN.
var appNames = []string{
	"chatter", "newsfeed", "mapsy", "tunebox", "photogram", "shopcart",
	"fitlog", "weatherly", "vidstream", "bankly", "ridehail", "foodnow",
	"mailbox", "notetaker", "podcastr", "jobhunt", "tripplan", "gamehub",
	"readr", "learnit",
}

// AppNames returns the labels of a corpus of n apps, in order.
func AppNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		if i < len(appNames) {
			out[i] = appNames[i]
		} else {
			out[i] = fmt.Sprintf("app%02d", i+1)
		}
	}
	return out
}

// sharedNames name the pool of third-party services.
var sharedNames = []string{
	"cdn.edgecache.example", "analytics.metricly.example", "ads.adserve.example",
	"graph.socialsdk.example", "crash.bugsnapper.example", "img.imgcdn.example",
	"config.remoteconf.example", "events.attribution.example", "fonts.webfonts.example",
	"tiles.mapcdn.example", "pay.paygate.example", "id.loginprovider.example",
	"video.streamcdn.example", "static.jslib.example", "push.notifyhub.example",
	"ab.experiments.example",
}

var ownPrefixes = []string{
	"api", "cdn", "img", "media", "auth", "events", "config", "chat", "static",
	"upload", "feed", "sync", "ws", "search", "video", "assets",
}

// mix is the SplitMix64 finaliser, used to derive independent stream ids.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newRand returns the PCG stream of seed named by parts.
func newRand(seed uint64, parts ...uint64) *rand.Rand {
	h := uint64(0x243f6a8885a308d3)
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return rand.New(rand.NewPCG(seed, h))
}

// Stream purposes for newRand.
const (
	streamWorld uint64 = iota + 1
	streamCapture
)

// logn draws from a log-normal distribution.
func logn(r *rand.Rand, mu, sigma float64) float64 {
	return math.Exp(mu + sigma*r.NormFloat64())
}

// uni draws uniformly from [a, b).
func uni(r *rand.Rand, a, b float64) float64 { return a + (b-a)*r.Float64() }

// pick draws an index with probability proportional to w.
func pick(r *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range w {
		u -= x
		if u < 0 {
			return i
		}
	}
	return len(w) - 1
}

// ipv4Firsts are first octets of public address space used for servers.
var ipv4Firsts = []byte{13, 18, 23, 31, 34, 35, 44, 52, 54, 64, 66, 74, 87, 91, 104, 130, 142, 146, 151, 157, 185, 199, 208, 216}

func publicV4(r *rand.Rand) netip.Addr {
	return netip.AddrFrom4([4]byte{ipv4Firsts[r.IntN(len(ipv4Firsts))], byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(253))})
}

func publicV6(r *rand.Rand) netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint16(b[0:], 0x2a00|uint16(r.IntN(16)))
	binary.BigEndian.PutUint16(b[2:], uint16(r.IntN(65536)))
	binary.BigEndian.PutUint16(b[4:], uint16(r.IntN(65536)))
	binary.BigEndian.PutUint16(b[14:], uint16(1+r.IntN(65535)))
	return netip.AddrFrom16(b)
}

// randomSizes draws an app or service traffic profile.
func randomSizes(r *rand.Rand) sizes {
	return sizes{
		reqMu:      math.Log(uni(r, 120, 1100)),
		reqSigma:   uni(r, 0.1, 0.4),
		smallMu:    math.Log(uni(r, 150, 4000)),
		smallSigma: uni(r, 0.15, 0.5),
		bigMu:      math.Log(uni(r, 8e3, 80e3)),
		bigSigma:   uni(r, 0.3, 0.9),
		bigProb:    uni(r, 0.02, 0.12),
		procMs:     uni(r, 5, 120),
	}
}

// newWorld draws apps, services and certificates from the configuration.
// The stages run in a fixed order, as every one draws from the same
// random stream: shared services, shared front ends, apps, background
// services.
func newWorld(cfg Config) (*world, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b, err := newWorldBuilder(cfg)
	if err != nil {
		return nil, err
	}
	if err := b.sharedServices(); err != nil {
		return nil, err
	}
	b.drawFronts()
	for _, name := range AppNames(cfg.Apps) {
		a, err := b.app(name)
		if err != nil {
			return nil, err
		}
		b.w.apps = append(b.w.apps, a)
	}
	if err := b.backgroundServices(); err != nil {
		return nil, err
	}
	return b.w, nil
}

// front is a shared front end: addresses and network characteristics that
// host services of several apps.
type front struct {
	v4, v6 []netip.Addr
	rtt    float64
	mss    int
	ttl    uint8
}

// worldBuilder holds what newWorld has drawn so far.
type worldBuilder struct {
	cfg    Config
	r      *rand.Rand
	w      *world
	cas    []*ca
	used   map[netip.Addr]bool // server addresses already given out
	all    []*dest             // every service, by id
	fronts []front
}

func newWorldBuilder(cfg Config) (*worldBuilder, error) {
	b := &worldBuilder{cfg: cfg, r: newRand(cfg.Seed, streamWorld), w: &world{cfg: cfg}}
	var err error
	if b.cas, err = newCAs(cfg.Seed); err != nil {
		return nil, err
	}
	b.used = make(map[netip.Addr]bool)
	return b, nil
}

// service draws a new service: its addresses, network characteristics,
// traffic profile and, for TLS, its certificate chain.
func (b *worldBuilder) service(host string, k kind, port uint16) (*dest, error) {
	r := b.r
	d := &dest{id: len(b.all), host: host, kind: k, port: port}
	d.tls13 = k == kindTLS && r.Float64() < b.cfg.TLS13Fraction
	n := 1 + r.IntN(3)
	if r.IntN(5) < 2 { // served from a CDN with many edge addresses
		n = 4 + r.IntN(5)
	}
	d.v4 = b.freshAddrs(n, publicV4)
	if k != kindPush && r.Float64() < b.cfg.IPv6Fraction {
		d.v6 = b.freshAddrs(n, publicV6)
	}
	d.rtt = math.Min(300, logn(r, math.Log(45), 0.6))
	d.mss = []int{1460, 1460, 1440, 1400, 1380}[r.IntN(5)]
	d.ttl = uint8(44 + r.IntN(16))
	d.idle = []float64{5, 15, 30, 60, 120}[r.IntN(5)] * uni(r, 0.8, 1.2)
	d.reuse = uni(r, 0.5, 0.95)
	d.recSz = []int{16384, 16384, 4096, 1369}[r.IntN(4)]
	d.prof = randomSizes(r)
	if k == kindTLS {
		if err := b.certify(d); err != nil {
			return nil, err
		}
	}
	b.all = append(b.all, d)
	return d, nil
}

// freshAddrs draws n addresses not given out before.
func (b *worldBuilder) freshAddrs(n int, draw func(*rand.Rand) netip.Addr) []netip.Addr {
	var out []netip.Addr
	for len(out) < n {
		a := draw(b.r)
		if !b.used[a] {
			b.used[a] = true
			out = append(out, a)
		}
	}
	return out
}

// certify issues the certificate chain of TLS service d.
func (b *worldBuilder) certify(d *dest) error {
	ca := b.cas[b.r.IntN(len(b.cas))]
	var err error
	d.chain, err = ca.issue(b.cfg.Seed, b.r, d.host, d.id)
	if err != nil {
		return err
	}
	if b.r.IntN(5) == 0 { // some servers also send the root
		d.chain = append(d.chain, ca.rootDER)
	}
	return nil
}

// services draws one service per host, all of kind k on port.
func (b *worldBuilder) services(hosts []string, k kind, port uint16) ([]*dest, error) {
	var out []*dest
	for _, h := range hosts {
		d, err := b.service(h, k, port)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// sharedServices draws the pool of third-party services.
func (b *worldBuilder) sharedServices() error {
	for i := 0; i < b.cfg.SharedDestinations; i++ {
		host := fmt.Sprintf("svc%02d.thirdparty.example", i+1)
		if i < len(sharedNames) {
			host = sharedNames[i]
		}
		k, port := kindTLS, uint16(443)
		if i%7 == 2 { // some ad and tracking services still use plain HTTP
			k, port = kindHTTP, 80
		}
		d, err := b.service(host, k, port)
		if err != nil {
			return err
		}
		b.w.shared = append(b.w.shared, d)
	}
	return nil
}

// drawFronts draws the shared front ends.
func (b *worldBuilder) drawFronts() {
	r := b.r
	b.fronts = make([]front, max(2, b.cfg.Apps/2))
	for i := range b.fronts {
		f := &b.fronts[i]
		for n := 2 + r.IntN(3); len(f.v4) < n; {
			if a := publicV4(r); !b.used[a] {
				b.used[a] = true
				f.v4 = append(f.v4, a)
				a6 := publicV6(r)
				b.used[a6] = true
				f.v6 = append(f.v6, a6)
			}
		}
		f.rtt = math.Min(300, logn(r, math.Log(30), 0.5))
		f.mss = []int{1460, 1440}[r.IntN(2)]
		f.ttl = uint8(48 + r.IntN(12))
	}
}

// app draws the app called name: its rhythm, its own services and the
// shared ones it uses.
func (b *worldBuilder) app(name string) (*app, error) {
	r := b.r
	a := &app{name: name, prof: randomSizes(r)}
	a.gapMean = uni(r, 2, 12)
	a.spread = uni(r, 0.005, 0.15)
	a.burstsMean = uni(r, 3, 10)
	a.reqsMean = uni(r, 1.5, 4)
	a.pauseMean = uni(r, 5, 40)
	a.sessionFirst = uni(r, 0.5, 10)
	a.userAgent = fmt.Sprintf("%s/%d.%d.%d (Linux; Android %d; okhttp/4.%d)", name, 1+r.IntN(9), r.IntN(30), r.IntN(10), 10+r.IntN(5), 9+r.IntN(4))
	prefixes := r.Perm(len(ownPrefixes))
	zipf := uni(r, 0.5, 1.4)
	for j := 0; j < b.cfg.DestinationsPerApp; j++ {
		if err := b.ownService(a, ownHost(name, j, prefixes), zipf); err != nil {
			return nil, err
		}
	}
	if n := len(b.w.shared); n > 0 {
		for _, j := range r.Perm(n)[:(n+1)/2] {
			a.shared = append(a.shared, b.w.shared[j])
			a.sharedW = append(a.sharedW, uni(r, 0.2, 1))
		}
	}
	return a, nil
}

// ownHost names own service j of app name; prefixes is the app's order of
// ownPrefixes.
func ownHost(name string, j int, prefixes []int) string {
	pfx := ownPrefixes[prefixes[j%len(prefixes)]]
	if j >= len(prefixes) {
		pfx = fmt.Sprintf("%s%d", pfx, j/len(prefixes)+1)
	}
	return pfx + "." + name + ".example"
}

// ownService draws the next own service of a, at host, with its weight
// (Zipf of exponent zipf over the services' ranks) and traffic profile.
func (b *worldBuilder) ownService(a *app, host string, zipf float64) error {
	r := b.r
	k, port := kindTLS, uint16(443)
	switch u := r.Float64(); {
	case u < 0.06:
		k, port = kindHTTP, 80
	case u < 0.1:
		k, port = kindHTTP, 8080
	}
	d, err := b.service(host, k, port)
	if err != nil {
		return err
	}
	if r.Float64() < b.cfg.Hosting {
		f := &b.fronts[r.IntN(len(b.fronts))]
		d.v4 = f.v4
		if len(d.v6) > 0 {
			d.v6 = f.v6
		}
		d.rtt, d.mss, d.ttl = f.rtt, f.mss, f.ttl
	}
	a.own = append(a.own, d)
	a.ownW = append(a.ownW, 1/math.Pow(float64(len(a.own)), zipf))
	// Each endpoint of the app has its own sizes around the app's.
	p := a.prof
	p.reqMu += 0.35 * r.NormFloat64()
	p.smallMu += 0.5 * r.NormFloat64()
	p.bigMu += 0.3 * r.NormFloat64()
	p.procMs *= math.Exp(0.3 * r.NormFloat64())
	a.ownP = append(a.ownP, p)
	return nil
}

// backgroundServices draws the services common to every app and capture.
func (b *worldBuilder) backgroundServices() error {
	var err error
	if b.w.push, err = b.service("mtalk.pushsvc.example", kindPush, 5228); err != nil {
		return err
	}
	if b.w.connCheck, err = b.service("connectivity.osvendor.example", kindHTTP, 80); err != nil {
		return err
	}
	if b.w.quic, err = b.services([]string{"www.searchco.example", "video.streamco.example", "play.storeco.example"}, kindQUIC, 443); err != nil {
		return err
	}
	b.w.system, err = b.services([]string{"update.osvendor.example", "account.osvendor.example", "location.osvendor.example"}, kindTLS, 443)
	return err
}

// ca is a root and an intermediate certificate authority.
type ca struct {
	rootDER, interDER []byte
	inter             *x509.Certificate
	interKey          ed25519.PrivateKey
}

// certEpoch bounds every certificate's validity.
var (
	certNotBefore = time.Date(2024, time.June, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2027, time.June, 1, 0, 0, 0, 0, time.UTC)
)

// edKey derives an Ed25519 key from the seed and a label.
func edKey(seed uint64, label string) ed25519.PrivateKey {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write([]byte("appbench synth key\x00"))
	h.Write(b[:])
	h.Write([]byte(label))
	return ed25519.NewKeyFromSeed(h.Sum(nil))
}

// serial draws a positive serial number of 8, 16 or 19 bytes (most exceed
// 64 bits, as real ones do).
func serial(r *rand.Rand) *big.Int {
	n := []int{8, 16, 16, 19}[r.IntN(4)]
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	b[0] = 0x01 | b[0]&0x7f // positive, full length
	return new(big.Int).SetBytes(b)
}

var caNames = []string{"Synthetic Trust Services", "Example Global Sign", "Appbench Root Authority"}

func newCAs(seed uint64) ([]*ca, error) {
	r := newRand(seed, streamWorld, 0xca)
	var out []*ca
	for i, org := range caNames {
		rootKey := edKey(seed, fmt.Sprintf("root %d", i))
		rootTmpl := &x509.Certificate{
			SerialNumber:          serial(r),
			Subject:               pkix.Name{Country: []string{"US"}, Organization: []string{org}, CommonName: org + " Root CA"},
			NotBefore:             time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2040, time.January, 1, 0, 0, 0, 0, time.UTC),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		rootDER, root, err := createCert(fmt.Sprintf("root certificate %d", i), rootTmpl, rootTmpl, rootKey.Public(), rootKey)
		if err != nil {
			return nil, err
		}
		interKey := edKey(seed, fmt.Sprintf("intermediate %d", i))
		interTmpl := &x509.Certificate{
			SerialNumber:          serial(r),
			Subject:               pkix.Name{Country: []string{"US"}, Organization: []string{org}, CommonName: fmt.Sprintf("%s TLS CA %d", org, 2024)},
			NotBefore:             time.Date(2023, time.January, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2033, time.January, 1, 0, 0, 0, 0, time.UTC),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
			MaxPathLenZero:        true,
		}
		interDER, inter, err := createCert(fmt.Sprintf("intermediate certificate %d", i), interTmpl, root, interKey.Public(), rootKey)
		if err != nil {
			return nil, err
		}
		out = append(out, &ca{rootDER: rootDER, interDER: interDER, inter: inter, interKey: interKey})
	}
	return out, nil
}

// createCert makes the certificate tmpl signed by parent's key and parses
// it back; what names the certificate in errors.
func createCert(what string, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key ed25519.PrivateKey) ([]byte, *x509.Certificate, error) {
	der, err := x509.CreateCertificate(nil, tmpl, parent, pub, key)
	if err != nil {
		return nil, nil, fmt.Errorf("synth: %s: %w", what, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("synth: %s: %w", what, err)
	}
	return der, cert, nil
}

// issue makes the certificate chain (leaf, intermediate) of host. The leaf
// carries a varying number of alternative names, so chains range from
// under one to several TCP segments.
func (c *ca) issue(seed uint64, r *rand.Rand, host string, id int) ([][]byte, error) {
	key := edKey(seed, fmt.Sprintf("leaf %d %s", id, host))
	names := []string{host}
	extra := []int{0, 1, 2, 4, 8, 20, 40}[r.IntN(7)]
	for i := 0; i < extra; i++ {
		names = append(names, fmt.Sprintf("%s%d.%s", ownPrefixes[r.IntN(len(ownPrefixes))], i+1, host))
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(r),
		Subject:               pkix.Name{CommonName: host},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
	}
	der, err := x509.CreateCertificate(nil, tmpl, c.inter, key.Public(), c.interKey)
	if err != nil {
		return nil, fmt.Errorf("synth: certificate of %s: %w", host, err)
	}
	return [][]byte{der, c.interDER}, nil
}
