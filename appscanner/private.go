package appscanner

import "net/netip"

// privateV4 is the IPv4 table of Python 3.11's ipaddress module
// (IPv4Address.is_private) as the specification lists it. Go's
// netip.Addr.IsPrivate is narrower (RFC 1918 only).
var privateV4 = mustPrefixes(
	"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
)

// privateV4Exceptions are the addresses inside privateV4 that Python does
// not call private (its _private_networks_exceptions; the specification's
// table leaves them out, Debian's Python 3.11.2, which wrote the reference
// outputs, has them).
var privateV4Exceptions = mustPrefixes("192.0.0.9/32", "192.0.0.10/32")

// privateV6 and privateV6Exceptions are the matching IPv6 tables of the
// same Python, used only for CSV rows carrying IPv6 addresses (R1 reads
// IPv4 only).
var (
	privateV6 = mustPrefixes(
		"::1/128", "::/128", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
		"2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10",
	)
	privateV6Exceptions = mustPrefixes(
		"2001:1::1/128", "2001:1::2/128", "2001:3::/32", "2001:4:112::/48", "2001:20::/28", "2001:30::/28",
	)
)

func mustPrefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

func inAny(a netip.Addr, table []netip.Prefix) bool {
	for _, p := range table {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// IsPrivate reports whether a is "private" in the sense of Python 3.11's
// ipaddress module (Debian's 3.11.2), the test AppScanner uses to call a
// packet incoming (destination private). IPv4-mapped IPv6 addresses are
// judged by their IPv4 address, as Python does. 100.64.0.0/10 and
// multicast are not private. The zero Addr is not private.
func IsPrivate(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is4() {
		return inAny(a, privateV4) && !inAny(a, privateV4Exceptions)
	}
	return inAny(a, privateV6) && !inAny(a, privateV6Exceptions)
}
