package datasets

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"sync"
	"syscall"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// benchCapture is a synthetic capture of TLS and UDP traffic built once per
// size: flows run interleaved, each TCP flow with a handshake, a
// ClientHello, a server flight with a certificate, data segments of mixed
// sizes and a FIN; a fifth of the packets are UDP.
var benchCaptures sync.Map // packets -> []byte

func benchCapture(b testing.TB, packets int) ([]byte, int) {
	b.Helper()
	type built struct {
		data []byte
		n    int
	}
	if v, ok := benchCaptures.Load(packets); ok {
		return v.(built).data, v.(built).n
	}
	r := rand.New(rand.NewPCG(42, 1))
	const flows = 2000
	type flow struct {
		pkts []flowSpec
		next int
	}
	fl := make([]*flow, 0, flows)
	cm := certificateMsg(fakeCert(1400, 9), fakeCert(1100, 10))
	server := append(tlsRecord(22, handshakeMsg(2, make([]byte, 80))), tlsRecord(22, cm)...)
	server = append(server, tlsRecord(20, []byte{1})...)
	perFlow := packets / flows
	for i := range flows {
		cli := netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 1})
		srv := netip.AddrFrom4([4]byte{93, 184, byte(i % 7), 34})
		if i%4 == 3 {
			cli = netip.AddrFrom16([16]byte{0x20, 1, 0xd, 0xb8, 15: byte(i)})
			srv = netip.AddrFrom16([16]byte{0x20, 1, 0xd, 0xb8, 1, 15: 1})
		}
		f := &flow{}
		if i%5 == 4 {
			for j := range perFlow {
				f.pkts = append(f.pkts, flowSpec{src: cli, dst: srv, sport: uint16(20000 + i), dport: 443, payload: make([]byte, 50+r.IntN(1200))})
				if j%2 == 1 {
					f.pkts[j].src, f.pkts[j].dst, f.pkts[j].sport, f.pkts[j].dport = srv, cli, 443, uint16(20000+i)
				}
			}
		} else {
			f.pkts = tlsFlow(b, cli, srv, uint16(30000+i), clientHello("host"+string(rune('a'+i%26))+".example.com"), server, 1448)
			cs, ss := uint32(1001+len(clientHello("hosta.example.com"))), uint32(5001+len(server))
			for len(f.pkts) < perFlow-1 {
				n := []int{0, 80, 600, 1448, 1448}[r.IntN(5)]
				if r.IntN(3) == 0 {
					f.pkts = append(f.pkts, flowSpec{src: cli, dst: srv, sport: uint16(30000 + i), dport: 443, tcp: true, flags: tcpACK, seq: cs, payload: make([]byte, n)})
					cs += uint32(n)
				} else {
					f.pkts = append(f.pkts, flowSpec{src: srv, dst: cli, sport: 443, dport: uint16(30000 + i), tcp: true, flags: tcpACK, seq: ss, payload: make([]byte, n)})
					ss += uint32(n)
				}
			}
			f.pkts = append(f.pkts, flowSpec{src: cli, dst: srv, sport: uint16(30000 + i), dport: 443, tcp: true, flags: tcpFIN | tcpACK, seq: cs})
		}
		fl = append(fl, f)
	}
	var recs []capRecord
	t := int64(1700000000e9)
	for len(recs) < packets {
		progressed := false
		for _, f := range fl {
			if f.next < len(f.pkts) && len(recs) < packets {
				recs = append(recs, capRecord{timeNs: t, data: ethFrame(ipPacket(b, f.pkts[f.next]))})
				f.next++
				t += 1000 + int64(r.IntN(50000))
				progressed = true
			}
		}
		if !progressed {
			break
		}
	}
	data := pcapFile(pcapMagicNano, binary.LittleEndian, layers.LinkTypeEthernet, recs)
	benchCaptures.Store(packets, built{data, len(recs)})
	return data, len(recs)
}

// BenchmarkCaptureReader reads a synthetic 200k-packet capture into packet
// records with TLS extraction (and without, for comparison).
func BenchmarkCaptureReader(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts CaptureOptions
	}{{"tls", CaptureOptions{}}, {"notls", CaptureOptions{NoTLS: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			data, n := benchCapture(b, 200000)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			cpu0 := processCPU()
			b.ResetTimer()
			var got, certs int
			for range b.N {
				cr, err := NewCaptureReader(bytes.NewReader(data), "bench.pcap", bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				got = 0
				for cr.Scan() {
					got++
				}
				if err := cr.Err(); err != nil {
					b.Fatal(err)
				}
				certs = int(cr.Stats().TLSCerts)
			}
			b.StopTimer()
			cpu := processCPU() - cpu0
			runtime.ReadMemStats(&ms1)
			if got != n || (bc.name == "tls" && certs == 0) {
				b.Fatalf("read %d of %d packets, %d certificates", got, n, certs)
			}
			total := float64(n) * float64(b.N)
			b.ReportMetric(total/b.Elapsed().Seconds(), "packets/s")
			// On a shared machine wall time includes waiting for a core;
			// CPU time tells the single-core rate.
			b.ReportMetric(total/cpu, "packets/cpu-s")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/total, "allocs/pkt")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/total, "B/pkt")
		})
	}
}

// processCPU returns the user and system CPU seconds used by the process.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// TestCaptureMemoryBounded reads captures of 10k and 40k packets over the
// same 2000 flows: the bytes allocated must not grow with the capture
// length once every flow is known.
func TestCaptureMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds synthetic captures")
	}
	alloc := func(packets int) uint64 {
		data, _ := benchCapture(t, packets)
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		cr, err := NewCaptureReader(bytes.NewReader(data), "mem.pcap", CaptureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for cr.Scan() {
		}
		if cr.Err() != nil {
			t.Fatal(cr.Err())
		}
		runtime.ReadMemStats(&ms1)
		return ms1.TotalAlloc - ms0.TotalAlloc
	}
	small, large := alloc(10000), alloc(40000)
	t.Logf("allocated %d bytes for 10k packets, %d for 40k", small, large)
	if large > small*3/2+1<<20 {
		t.Errorf("allocation grows with capture length: %d -> %d bytes", small, large)
	}
}
