// Package featcache is an on-disk, content-addressed store of computed
// features, in the manner of Go's build cache: an entry is found by a key
// that hashes everything its content depends on (the capture's identity,
// the chunking, the method's feature key and format version), written
// atomically, and checked against a checksum on every read, so that a
// damaged entry is reported as missing and rebuilt rather than believed.
//
// Entries live in DIR/xx/<64 hex digits>, xx the key's first byte, as
//
//	"appbench-featcache 1\n" | sha256(payload) (32 bytes) | len(payload) (8 bytes, little-endian) | payload
//
// Several processes may share a folder (shards on a network file system):
// writes are atomic renames of complete files, and two writers of one key
// write the same content.
package featcache
