package synth

import (
	"fmt"
)

// httpExchange makes an HTTP/1.1 request of about req bytes and a response
// with a body of resp bytes (resp < 0: 204 No Content).
func httpExchange(r *rng, d *dest, ua string, req, resp int) ([]byte, []byte) {
	var q []byte
	if resp < 0 {
		q = fmt.Appendf(q, "GET /generate_204 HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nConnection: keep-alive\r\nAccept-Encoding: gzip\r\n\r\n", d.host, ua)
		s := fmt.Appendf(nil, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nDate: Mon, 03 Mar 2025 09:00:00 GMT\r\n\r\n")
		return q, s
	}
	path := fmt.Sprintf("/v%d/%s/%08x", 1+r.IntN(3), []string{"items", "feed", "img", "track", "ads", "sync"}[r.IntN(6)], r.Uint32())
	q = fmt.Appendf(q, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n", path, d.host, ua)
	if pad := req - len(q) - 12; pad > 0 {
		q = append(q, "Cookie: c="...)
		for i := 0; i < pad; i++ {
			q = append(q, "abcdefghijklmnopqrstuvwxyz0123456789"[r.IntN(36)])
		}
		q = append(q, "\r\n"...)
	}
	q = append(q, "\r\n"...)
	s := fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nCache-Control: max-age=3600\r\nConnection: keep-alive\r\n\r\n", resp)
	s = fill(s, r, resp)
	return q, s
}
