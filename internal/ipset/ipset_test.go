package ipset

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

func TestContains(t *testing.T) {
	for _, tc := range []struct {
		name   string
		add    []string // addresses, and networks (with a /)
		in     []string
		out    []string
		ranges int
	}{
		{name: "empty", out: []string{"10.0.0.1", "::1", "0.0.0.0"}},
		{name: "one address", add: []string{"10.0.0.1"}, in: []string{"10.0.0.1", "::ffff:10.0.0.1"}, out: []string{"10.0.0.0", "10.0.0.2", "::a00:1"}, ranges: 1},
		{name: "network", add: []string{"10.1.0.0/16"}, in: []string{"10.1.0.0", "10.1.255.255", "10.1.3.4"}, out: []string{"10.0.255.255", "10.2.0.0"}, ranges: 1},
		{name: "unmasked network", add: []string{"10.1.2.3/16"}, in: []string{"10.1.0.0", "10.1.255.255"}, out: []string{"10.2.0.0"}, ranges: 1},
		{name: "all IPv4", add: []string{"0.0.0.0/0"}, in: []string{"0.0.0.0", "255.255.255.255", "::ffff:1.2.3.4"}, out: []string{"::", "::1", "2001:db8::1"}, ranges: 1},
		{name: "all IPv6", add: []string{"::/0"}, in: []string{"::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::1"}, out: []string{"1.2.3.4", "::ffff:1.2.3.4"}, ranges: 1},
		{name: "mapped network holds no IPv4 address", add: []string{"::ffff:0.0.0.0/96"}, out: []string{"1.2.3.4", "::ffff:1.2.3.4"}, ranges: 1},
		{name: "IPv6 /64", add: []string{"2001:db8:1:2::/64"}, in: []string{"2001:db8:1:2::", "2001:db8:1:2:ffff:ffff:ffff:ffff"}, out: []string{"2001:db8:1:1:ffff:ffff:ffff:ffff", "2001:db8:1:3::"}, ranges: 1},
		{name: "IPv6 /63 crosses the halves", add: []string{"2001:db8:1:2::/63"}, in: []string{"2001:db8:1:3::5"}, out: []string{"2001:db8:1:4::"}, ranges: 1},
		{name: "IPv6 /128 and /0 bits", add: []string{"2001:db8::1/128"}, in: []string{"2001:db8::1"}, out: []string{"2001:db8::", "2001:db8::2"}, ranges: 1},
		{name: "adjacent merge", add: []string{"10.0.0.0/25", "10.0.0.128/25", "10.0.1.0"}, in: []string{"10.0.0.0", "10.0.1.0"}, out: []string{"10.0.1.1"}, ranges: 1},
		{name: "nested and overlapping", add: []string{"10.0.0.0/8", "10.5.0.0/16", "10.255.255.255", "11.0.0.0/16"}, in: []string{"10.5.1.1", "11.0.255.255"}, out: []string{"11.1.0.0", "9.255.255.255"}, ranges: 1},
		{name: "gaps stay", add: []string{"10.0.0.1", "10.0.0.3", "192.168.0.0/24"}, in: []string{"10.0.0.3", "192.168.0.7"}, out: []string{"10.0.0.2", "10.0.0.4", "192.168.1.0"}, ranges: 3},
		{name: "mixed families", add: []string{"10.0.0.0/8", "2001:db8::/32", "::ffff:192.0.2.1"}, in: []string{"10.9.9.9", "2001:db8:ffff::", "192.0.2.1"}, out: []string{"::a00:1", "2001:db9::"}, ranges: 3},
		{name: "top of the spaces", add: []string{"255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "255.255.255.254"}, in: []string{"255.255.255.255", "255.255.255.254", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}, out: []string{"255.255.255.253"}, ranges: 2},
		{name: "zones are in nothing", add: []string{"fe80::1", "fe80::2%eth0", "fe80::/64"}, in: []string{"fe80::1"}, out: []string{"fe80::1%eth0", "fe80::2%eth0"}, ranges: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b Builder
			for _, s := range tc.add {
				if p, err := netip.ParsePrefix(s); err == nil {
					b.AddPrefix(p)
				} else {
					b.AddAddr(netip.MustParseAddr(s))
				}
			}
			set := b.Set()
			if got := set.Ranges(); got != tc.ranges {
				t.Errorf("Ranges() = %d, want %d", got, tc.ranges)
			}
			for _, s := range tc.in {
				if !set.Contains(netip.MustParseAddr(s)) {
					t.Errorf("Contains(%s) = false, want true", s)
				}
			}
			for _, s := range tc.out {
				if set.Contains(netip.MustParseAddr(s)) {
					t.Errorf("Contains(%s) = true, want false", s)
				}
			}
		})
	}
}

func TestNilAndInvalid(t *testing.T) {
	var s *Set
	if s.Contains(netip.MustParseAddr("1.2.3.4")) || !s.Empty() {
		t.Error("a nil set holds something")
	}
	var b Builder
	b.AddAddr(netip.Addr{})
	b.AddPrefix(netip.Prefix{})
	b.AddAddr(netip.MustParseAddr("1.2.3.4"))
	set := b.Set()
	if set.Contains(netip.Addr{}) {
		t.Error("the set holds the zero Addr")
	}
	if set.Ranges() != 1 {
		t.Errorf("invalid values added ranges: %d", set.Ranges())
	}
}

// FuzzContains checks the set against a naive one: every address against
// every network with netip.Prefix.Contains (addresses as /32 or /128
// networks, unmapped). The input is read as records of a kind byte, an
// address (4 or 16 bytes) and a prefix length; the last few records are
// the addresses looked up, each also tried one below and one above.
func FuzzContains(f *testing.F) {
	f.Add([]byte{0, 10, 0, 0, 0, 8, 0, 10, 1, 2, 3, 32})
	f.Add([]byte{1, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 10, 0, 0, 1, 24, 0, 10, 0, 0, 0, 32})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 255, 255, 255, 255, 31, 0, 255, 255, 255, 254, 32, 0, 255, 255, 255, 255, 32})
	f.Fuzz(func(t *testing.T, data []byte) {
		var prefixes []netip.Prefix
		for len(data) > 0 {
			kind := data[0]
			n := 4
			if kind%2 == 1 {
				n = 16
			}
			if len(data) < 2+n {
				break
			}
			var a netip.Addr
			if n == 4 {
				a = netip.AddrFrom4([4]byte(data[1:5]))
			} else {
				a = netip.AddrFrom16([16]byte(data[1:17]))
			}
			if kind&2 != 0 { // an IPv4-mapped address
				a = netip.AddrFrom16(a.As16())
			}
			bitsN := int(data[1+n]) % (a.BitLen() + 1)
			prefixes = append(prefixes, netip.PrefixFrom(a, bitsN))
			data = data[2+n:]
		}
		if len(prefixes) == 0 {
			return
		}
		var b Builder
		var naive []netip.Prefix
		for i, p := range prefixes {
			if i%3 == 2 { // an address alone
				b.AddAddr(p.Addr())
				naive = append(naive, netip.PrefixFrom(p.Addr().Unmap(), p.Addr().Unmap().BitLen()))
				continue
			}
			b.AddPrefix(p)
			naive = append(naive, p.Masked())
		}
		set := b.Set()
		probes := prefixes[max(0, len(prefixes)-4):]
		for _, p := range probes {
			for _, a := range []netip.Addr{p.Addr(), p.Addr().Prev(), p.Addr().Next(), p.Masked().Addr(), last(p), last(p).Next()} {
				if !a.IsValid() {
					continue
				}
				want := false
				for _, q := range naive {
					want = want || q.Contains(a.Unmap())
				}
				if got := set.Contains(a); got != want {
					t.Fatalf("Contains(%s) = %v, want %v (set of %v)", a, got, want, naive)
				}
			}
		}
	})
}

// last is the last address of a network.
func last(p netip.Prefix) netip.Addr {
	p = p.Masked()
	if p.Addr().Is4() {
		b := p.Addr().As4()
		v := binary.BigEndian.Uint32(b[:]) | uint32(uint64(1)<<(32-p.Bits())-1)
		binary.BigEndian.PutUint32(b[:], v)
		return netip.AddrFrom4(b)
	}
	b := p.Addr().As16()
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	host := 128 - p.Bits()
	if host >= 64 {
		lo = ^uint64(0)
		hi |= uint64(1)<<(host-64) - 1
	} else {
		lo |= uint64(1)<<host - 1
	}
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return netip.AddrFrom16(b)
}
