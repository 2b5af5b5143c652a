// Package datasets turns network captures into packet records and labeled
// corpora, the input every traffic-classification method in appbench
// consumes.
//
// It reads pcap and pcapng captures (pure Go, streaming, with TLS handshake
// extraction of server certificates and SNI; classic pcap files written by
// patched libpcaps with longer record headers, such as Red Hat 6.1's
// tcpdump, are recognised by trying the first records as tshark does; see
// NewCaptureReader), reads and writes the MAppGraph
// packet CSV format, discovers labeled corpora on disk, cuts captures into
// time chunks exactly as the MAppGraph notebooks do, and splits chunks into
// training and test sets without leakage.
//
// It also holds the data model of MAppGraph graphs (Graph, Node, Edge; built
// and read by package mappgraph) and their compact, versioned binary
// encoding (AppendGraph, DecodeGraph), so that the data a method consumes
// never requires an algorithm package.
package datasets
