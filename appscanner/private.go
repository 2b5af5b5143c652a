package appscanner

import "net/netip"

// privateV4 is Python 3.11's ipaddress table of private IPv4 networks
// (IPv4Address.is_private), as listed by the specification. Go's
// netip.Addr.IsPrivate is narrower (RFC 1918 only).
var privateV4 = mustPrefixes(
	"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
)

// privateV6 is the matching IPv6 table of Python's ipaddress
// (IPv6Address.is_private), used only for CSV rows carrying IPv6
// addresses (R1 reads IPv4 only). IPv4-mapped addresses are judged by
// their IPv4 address, as recent Pythons do.
var privateV6 = mustPrefixes(
	"::1/128", "::/128", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
	"2001:db8::/32", "2001:10::/28", "fc00::/7", "fe80::/10",
)

func mustPrefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// IsPrivate reports whether a is "private" in the sense of Python 3.11's
// ipaddress module, the test AppScanner uses to call a packet incoming
// (destination private). 100.64.0.0/10 and multicast are not private.
func IsPrivate(a netip.Addr) bool {
	if a.Is4In6() {
		a = a.Unmap()
	}
	table := privateV6
	if a.Is4() {
		table = privateV4
	}
	for _, p := range table {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
