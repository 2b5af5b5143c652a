// Package synth generates deterministic synthetic mobile-app traffic: the
// embedded default dataset of appbench.
//
// A Config describes a corpus of apps, each with its own services (host
// names with one to three IPv4 or IPv6 addresses, port 443, some 80 or
// 8080) and a share of third-party services common to several apps (CDNs,
// analytics, ads), plus background traffic (QUIC-like UDP 443 sessions,
// connectivity checks, system TLS services, a push channel on TCP 5228),
// DNS lookups and ARP. Apps differ by their services, request and response
// size profiles and usage rhythm: sessions of bursts of requests separated
// by idle gaps longer than one second. Every capture of an app varies its
// client addresses, ports, link speed and profile at random.
//
// Traffic is protocol-correct: full TCP handshakes with options, sequence and
// acknowledgement numbers, delayed ACKs, slow start, FIN closes, and valid
// IP/TCP/UDP checksums. TLS services send a real ClientHello with SNI; TLS
// 1.2 servers answer with ServerHello, a Certificate message holding an
// X.509 chain generated with crypto/x509 (Ed25519 keys derived from the
// seed, subject CN = host name = SNI, serials of up to 19 bytes),
// ServerKeyExchange and ServerHelloDone, often spanning several TCP
// segments; TLS 1.3 servers send ServerHello then only encrypted records.
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
