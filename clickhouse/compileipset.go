package clickhouse

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/query/ast"
)

// ip in a long list of addresses and networks (a named list of 10,000
// networks, a literal in (…) of many): one test per prefix length
// rather than one range per network, so that the statement stays short
// and ClickHouse tests each address against a hash set per length. An
// IPv4 network holds IPv4 addresses (the last 4 of the 16 bytes of an
// IPv4-mapped address, masked), an IPv6 network the other addresses
// (the first and last 8 bytes as numbers, masked), as cidr compares
// them; an address is one of the list's in any spelling (its 16 bytes);
// other text compares as text, without regard to case.

// ipSetMin is the fewest values ipSet is used for; fewer are tested one
// by one (textValue).
const ipSetMin = 16

// ipSet compiles ip in vals; ok is false when a value is an address with
// a zone, which the one-by-one tests compare.
func ipSet(vals []*ast.Literal) (string, bool) {
	v4 := map[int][]uint32{}      // by prefix length: the masked networks
	v6hi := map[int][]uint64{}    // lengths up to 64
	v6lo := map[int][][2]uint64{} // lengths above 64
	var addrs, texts []string
	seen := map[string]bool{}
	for _, v := range vals {
		if p, err := netip.ParsePrefix(v.Text); err == nil {
			p = p.Masked()
			key := p.String()
			if seen[key] {
				continue
			}
			seen[key] = true
			a := p.Addr()
			if a.Is4() {
				b := a.As4()
				v4[p.Bits()] = append(v4[p.Bits()], binary.BigEndian.Uint32(b[:]))
				continue
			}
			b := a.As16()
			hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
			if p.Bits() <= 64 {
				v6hi[p.Bits()] = append(v6hi[p.Bits()], hi)
			} else {
				v6lo[p.Bits()] = append(v6lo[p.Bits()], [2]uint64{hi, lo})
			}
			continue
		}
		if a, err := netip.ParseAddr(v.Text); err == nil {
			if a.Zone() != "" {
				return "", false
			}
			b := a.Unmap().As16()
			k := "'" + hex.EncodeToString(b[:]) + "'"
			if !seen[k] {
				seen[k] = true
				addrs = append(addrs, k)
			}
			continue
		}
		if !seen["t"+v.Text] {
			seen["t"+v.Text] = true
			texts = append(texts, quote(v.Text))
		}
	}
	ip := ident(colIP16)
	nn := "assumeNotNull(" + ip + ")"
	isV4 := "substring(" + nn + ", 1, 12) = unhex('" + mapped4 + "')"
	num4 := "reinterpretAsUInt32(reverse(substring(" + nn + ", 13, 4)))"
	hi := "reinterpretAsUInt64(reverse(substring(" + nn + ", 1, 8)))"
	lo := "reinterpretAsUInt64(reverse(substring(" + nn + ", 9, 8)))"
	var c4, c6 []string
	for _, bits := range sortedKeys(v4) {
		if bits == 0 {
			c4 = append(c4, "1")
			continue
		}
		mask := ^uint32(0) << (32 - bits)
		c4 = append(c4, "bitAnd("+num4+", "+strconv.FormatUint(uint64(mask), 10)+") IN ("+joinUints(v4[bits])+")")
	}
	for _, bits := range sortedKeys(v6hi) {
		if bits == 0 {
			c6 = append(c6, "1")
			continue
		}
		mask := ^uint64(0) << (64 - bits)
		var ns []uint64
		ns = append(ns, v6hi[bits]...)
		c6 = append(c6, "bitAnd("+hi+", "+strconv.FormatUint(mask, 10)+") IN ("+joinUints(ns)+")")
	}
	for _, bits := range sortedKeys(v6lo) {
		mask := ^uint64(0) << (128 - bits)
		var ts []string
		for _, p := range v6lo[bits] {
			ts = append(ts, "("+strconv.FormatUint(p[0], 10)+", "+strconv.FormatUint(p[1], 10)+")")
		}
		c6 = append(c6, "("+hi+", bitAnd("+lo+", "+strconv.FormatUint(mask, 10)+")) IN ("+strings.Join(ts, ", ")+")")
	}
	var ors []string
	if len(c4) > 0 || len(c6) > 0 {
		or := func(cs []string) string {
			if len(cs) == 0 {
				return "0"
			}
			return "(" + strings.Join(cs, " OR ") + ")"
		}
		ors = append(ors, "(isNotNull("+ip+") AND if("+isV4+", "+or(c4)+", "+or(c6)+"))")
	}
	if len(addrs) > 0 {
		ors = append(ors, addrSet(addrs))
	}
	if len(texts) > 0 {
		ors = append(ors, textSet(strExpr(ipField()), texts))
	}
	if len(ors) == 0 {
		return "0", true
	}
	return "(" + strings.Join(ors, " OR ") + ")", true
}

// ipField is the catalog's ip.
func ipField() *signin.Field { return signin.Lookup("ip") }

func sortedKeys[T any](m map[int]T) []int {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func joinUints[T uint32 | uint64](ns []T) string {
	var b strings.Builder
	for i, n := range ns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatUint(uint64(n), 10))
	}
	return b.String()
}
