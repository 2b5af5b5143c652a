package synth

import (
	"math/rand/v2"
)

// TLS record content types.
const (
	recChangeCipherSpec = 0x14
	recAlert            = 0x15
	recHandshake        = 0x16
	recApplicationData  = 0x17
)

// msg is a byte string to send on a connection, with the offsets (one past
// the last byte) at which a ClientHello or a Certificate handshake message is
// complete, for the packet records.
type msg struct {
	b       []byte
	sniEnd  int // > 0: the ClientHello (carrying sni) ends here
	sni     string
	certEnd int // > 0: the Certificate message (carrying cert) ends here
	cert    []byte
}

func put16(b []byte, v int) []byte { return append(b, byte(v>>8), byte(v)) }
func put24(b []byte, v int) []byte { return append(b, byte(v>>16), byte(v>>8), byte(v)) }

// rng is a capture's random stream plus a pool of random bytes that stands
// in for ciphertext: copying from the pool at random offsets is much faster
// than drawing every byte.
type rng struct {
	*rand.Rand
	pool []byte
}

// poolSize is the size of the random byte pool of a capture.
const poolSize = 1 << 16

func newRng(r *rand.Rand) *rng {
	p := make([]byte, poolSize)
	for i := 0; i < poolSize; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			p[i+j] = byte(v >> (8 * j))
		}
	}
	return &rng{Rand: r, pool: p}
}

// fill appends n random-looking bytes.
func fill(b []byte, r *rng, n int) []byte {
	for n > 0 {
		k := min(n, poolSize/2)
		off := r.IntN(poolSize - k + 1)
		b = append(b, r.pool[off:off+k]...)
		n -= k
	}
	return b
}

// record appends a TLS record header for a body of n bytes.
func record(b []byte, typ byte, version int, n int) []byte {
	b = append(b, typ)
	b = put16(b, version)
	return put16(b, n)
}

// vec16 appends data after its 16-bit length.
func vec16(b, data []byte) []byte {
	b = put16(b, len(data))
	return append(b, data...)
}

// ext appends a TLS extension.
func ext(b []byte, typ int, data []byte) []byte {
	b = put16(b, typ)
	return vec16(b, data)
}

// handshake appends a handshake message of type typ.
func handshake(b []byte, typ byte, body []byte) []byte {
	b = append(b, typ)
	b = put24(b, len(body))
	return append(b, body...)
}

// handshakeRecord appends a handshake record holding one message of type
// typ.
func handshakeRecord(b []byte, version int, typ byte, body []byte) []byte {
	b = record(b, recHandshake, version, 4+len(body))
	return handshake(b, typ, body)
}

// helloStart appends the start shared by ClientHello and ServerHello
// bodies: legacy version, random and session id.
func helloStart(b []byte, r *rng, sessionID []byte) []byte {
	b = put16(b, 0x0303)
	b = fill(b, r, 32)
	b = append(b, byte(len(sessionID)))
	return append(b, sessionID...)
}

// serverHelloStart appends the start of a ServerHello body: helloStart,
// the chosen cipher suite and null compression.
func serverHelloStart(b []byte, r *rng, sessionID []byte, suite int) []byte {
	b = helloStart(b, r, sessionID)
	b = put16(b, suite)
	return append(b, 0)
}

// changeCipherSpec appends a ChangeCipherSpec record.
func changeCipherSpec(b []byte) []byte {
	b = record(b, recChangeCipherSpec, 0x0303, 1)
	return append(b, 1)
}

// finished12 appends ChangeCipherSpec and an encrypted TLS 1.2 Finished.
func finished12(b []byte, r *rng) []byte {
	b = changeCipherSpec(b)
	b = record(b, recHandshake, 0x0303, 40)
	return fill(b, r, 40)
}

// clientHello appends a TLS record holding a ClientHello for host, as a
// modern Android client sends it (offering TLS 1.3 and 1.2).
// A non-empty ticket asks the server to resume a TLS 1.2 session.
func clientHello(b []byte, r *rng, host string, sessionID, ticket []byte) []byte {
	body := helloStart(nil, r, sessionID)
	suites := []int{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	body = put16(body, 2*len(suites))
	for _, s := range suites {
		body = put16(body, s)
	}
	body = append(body, 1, 0) // compression: null
	var exts []byte
	// server_name
	var sn []byte
	sn = put16(sn, len(host)+3)
	sn = append(sn, 0)
	sn = vec16(sn, []byte(host))
	exts = ext(exts, 0x0000, sn)
	exts = ext(exts, 0x0017, nil)                                              // extended_master_secret
	exts = ext(exts, 0xff01, []byte{0})                                        // renegotiation_info
	exts = ext(exts, 0x000a, []byte{0, 8, 0, 0x1d, 0, 0x17, 0, 0x18, 0, 0x19}) // supported_groups
	exts = ext(exts, 0x000b, []byte{1, 0})                                     // ec_point_formats
	exts = ext(exts, 0x0023, ticket)                                           // session_ticket
	exts = ext(exts, 0x0010, []byte{0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'})
	exts = ext(exts, 0x0005, []byte{1, 0, 0, 0, 0}) // status_request
	exts = ext(exts, 0x000d, []byte{0, 16, 4, 3, 8, 4, 4, 1, 5, 3, 8, 5, 5, 1, 8, 6, 6, 1})
	ks := []byte{0, 36, 0, 0x1d, 0, 32}
	ks = fill(ks, r, 32)
	exts = ext(exts, 0x0033, ks)                                // key_share
	exts = ext(exts, 0x002d, []byte{1, 1})                      // psk_key_exchange_modes
	exts = ext(exts, 0x002b, []byte{4, 0x03, 0x04, 0x03, 0x03}) // supported_versions
	// padding to a 512-byte ClientHello, as BoringSSL does
	if n := 4 + len(body) + 2 + len(exts); n < 508 {
		exts = ext(exts, 0x0015, make([]byte, 508-n))
	}
	body = vec16(body, exts)
	return handshakeRecord(b, 0x0301, 1, body)
}

// serverHello12 appends the first server flight of a TLS 1.2 ECDHE
// handshake: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone,
// either in one record or one record per message. It returns the offset in
// the result at which the Certificate message's record ends. With no chain
// it appends the ServerHello alone (an abbreviated, resumed handshake) and
// returns 0.
func serverHello12(b []byte, r *rng, chain [][]byte, sessionID []byte, oneRecord bool) ([]byte, int) {
	sh := serverHelloStart(nil, r, sessionID, 0xc02b)
	var exts []byte
	exts = ext(exts, 0xff01, []byte{0})
	exts = ext(exts, 0x000b, []byte{1, 0})
	exts = ext(exts, 0x0017, nil)
	exts = ext(exts, 0x0010, []byte{0, 3, 2, 'h', '2'})
	sh = vec16(sh, exts)
	if chain == nil {
		return handshakeRecord(b, 0x0303, 2, sh), 0
	}

	var certs []byte
	for _, c := range chain {
		certs = put24(certs, len(c))
		certs = append(certs, c...)
	}
	var cert []byte
	cert = put24(cert, len(certs))
	cert = append(cert, certs...)

	ske := []byte{3, 0, 0x1d, 32}
	ske = fill(ske, r, 32)
	ske = append(ske, 0x08, 0x07, 0, 64)
	ske = fill(ske, r, 64)

	if oneRecord {
		n := 4*4 + len(sh) + len(cert) + len(ske)
		b = record(b, recHandshake, 0x0303, n)
		b = handshake(b, 2, sh)
		b = handshake(b, 11, cert)
		b = handshake(b, 12, ske)
		b = handshake(b, 14, nil)
		return b, len(b)
	}
	b = handshakeRecord(b, 0x0303, 2, sh)
	b = handshakeRecord(b, 0x0303, 11, cert)
	end := len(b)
	b = handshakeRecord(b, 0x0303, 12, ske)
	b = handshakeRecord(b, 0x0303, 14, nil)
	return b, end
}

// clientFinish12 appends the client's second TLS 1.2 flight:
// ClientKeyExchange, ChangeCipherSpec, encrypted Finished.
func clientFinish12(b []byte, r *rng) []byte {
	b = record(b, recHandshake, 0x0303, 4+33)
	b = append(b, 16, 0, 0, 33, 32)
	b = fill(b, r, 32)
	return finished12(b, r)
}

// serverFinish12 appends the server's last TLS 1.2 flight: NewSessionTicket
// (sometimes), ChangeCipherSpec, encrypted Finished.
func serverFinish12(b []byte, r *rng, ticket bool) []byte {
	if ticket {
		n := 160 + r.IntN(64)
		b = record(b, recHandshake, 0x0303, 4+6+n)
		b = append(b, 4)
		b = put24(b, 6+n)
		b = append(b, 0, 0, 0x1c, 0x20) // lifetime hint 7200 s
		b = put16(b, n)
		b = fill(b, r, n)
	}
	return finished12(b, r)
}

// serverHello13 appends a TLS 1.3 server flight: ServerHello,
// ChangeCipherSpec and the encrypted rest of the handshake (its size follows
// the certificate chain, which is not visible).
func serverHello13(b []byte, r *rng, chain [][]byte, sessionID []byte) []byte {
	sh := serverHelloStart(nil, r, sessionID, 0x1301)
	var exts []byte
	exts = ext(exts, 0x002b, []byte{0x03, 0x04})
	ks := []byte{0, 0x1d, 0, 32}
	ks = fill(ks, r, 32)
	exts = ext(exts, 0x0033, ks)
	sh = vec16(sh, exts)
	b = handshakeRecord(b, 0x0303, 2, sh)
	b = changeCipherSpec(b)
	n := 17 + 40 // encrypted extensions
	for _, c := range chain {
		n += len(c) + 5
	}
	n += 8 + 4 + 4 + 64 + 4 + 32 // certificate header, CertificateVerify, Finished
	return appData13(b, r, n, 16384)
}

// appData12 appends n application bytes as TLS 1.2 AES-GCM records of at
// most size plaintext bytes each.
func appData12(b []byte, r *rng, n, size int) []byte { return appData(b, r, n, size, 24) }

// appData13 appends n application bytes as TLS 1.3 records (content type
// byte and 16-byte tag included).
func appData13(b []byte, r *rng, n, size int) []byte { return appData(b, r, n, size, 17) }

// appData appends n application bytes as records of at most size
// plaintext bytes each, every record overhead bytes longer than its
// plaintext.
func appData(b []byte, r *rng, n, size, overhead int) []byte {
	for n > 0 {
		k := min(n, size)
		b = record(b, recApplicationData, 0x0303, k+overhead)
		b = fill(b, r, k+overhead)
		n -= k
	}
	return b
}

// alert appends an encrypted close_notify alert.
func alert(b []byte, r *rng, tls13 bool) []byte {
	if tls13 {
		b = record(b, recApplicationData, 0x0303, 19)
		return fill(b, r, 19)
	}
	b = record(b, recAlert, 0x0303, 26)
	return fill(b, r, 26)
}
