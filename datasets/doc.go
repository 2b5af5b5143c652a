// Package datasets turns network captures into packet records and labeled
// corpora, the input every traffic-classification method in appbench
// consumes.
//
// It reads pcap and pcapng captures (pure Go, streaming, with TLS handshake
// extraction of server certificates and SNI), reads and writes the MAppGraph
// packet CSV format, discovers labeled corpora on disk, cuts captures into
// time chunks exactly as the MAppGraph notebooks do, and splits chunks into
// training and test sets without leakage.
package datasets
