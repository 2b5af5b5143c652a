// Package synth generates deterministic synthetic mobile-app traffic: the
// embedded default dataset of appbench.
//
// A Config describes a corpus of apps, each with its own services (host
// names on port 443, some on 80 or 8080, with IPv4 and some IPv6
// addresses) and a share of third-party services common to several apps
// (CDNs, analytics, ads), plus background traffic (QUIC-like UDP 443
// sessions, connectivity checks, system TLS services, a push channel on TCP
// 5228), DNS lookups and ARP. Some services of different apps sit behind
// the same front-end addresses (Config.Hosting); CDN services have many
// edge addresses of which each capture network sees two. Apps differ by
// their services, per-service request and response size profiles and usage
// rhythm: sessions of bursts of requests separated by idle gaps longer than
// one second, sessions separated by pauses. Every capture of an app varies
// its client addresses (private IPv4; IPv6 on some networks), ports, link
// speed and size profile at random.
//
// Traffic is protocol-correct: full TCP handshakes with options, sequence and
// acknowledgement numbers, delayed ACKs, slow start, FIN closes, and valid
// IP/TCP/UDP checksums. TLS services send a real ClientHello with SNI; TLS
// 1.2 servers answer with ServerHello, a Certificate message holding an
// X.509 chain generated with crypto/x509 (Ed25519 keys derived from the
// seed, subject CN = host name = SNI, serials of up to 19 bytes),
// ServerKeyExchange and ServerHelloDone, often spanning several TCP
// segments, and often a session ticket: later connections of the capture
// to the same host usually resume the session in an abbreviated handshake
// without a certificate. TLS 1.3 servers send ServerHello then only
// encrypted records.
//
// Generation is deterministic: the same Config (Workers aside) gives
// byte-identical files. Every capture has its own PCG stream derived from
// the seed, so captures are generated independently and in parallel, and
// lazily: frames come out in time order from a heap of open connections,
// so memory does not grow with capture length.
//
// Generate writes a labeled corpus <dir>/<app>/<app>_<k>.pcap with
// <dir>/manifest.csv. Captures gives the same captures in memory: each
// Capture's Source yields exactly the records the pcap reader gives for
// the written file, without writing it.
package synth
