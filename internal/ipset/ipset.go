package ipset

import (
	"cmp"
	"math/bits"
	"net/netip"
	"slices"
)

// Set is a set of addresses and networks, built once (Builder) and read
// by any number of goroutines.
type Set struct {
	v4, v6 []span // sorted, disjoint and not adjacent
}

// u128 is an address as a 128-bit number: hi then lo.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

func (a u128) compare(b u128) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// next is a+1, and false when a is the largest number.
func (a u128) next() (u128, bool) {
	lo, carry := bits.Add64(a.lo, 1, 0)
	hi, over := bits.Add64(a.hi, 0, carry)
	return u128{hi, lo}, over == 0
}

// span is the inclusive range [lo, hi].
type span struct{ lo, hi u128 }

func number(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{lo: uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	var n u128
	for i := range 8 {
		n.hi = n.hi<<8 | uint64(b[i])
		n.lo = n.lo<<8 | uint64(b[8+i])
	}
	return n
}

// spanOf is the range of a masked network's addresses.
func spanOf(p netip.Prefix) span {
	lo := number(p.Addr())
	host := p.Addr().BitLen() - p.Bits() // bits of the host part
	hi := lo
	switch {
	case host >= 64:
		hi.lo = ^uint64(0)
		hi.hi |= 1<<(host-64) - 1
		if host == 128 {
			hi.hi = ^uint64(0)
		}
	case host > 0:
		hi.lo |= 1<<host - 1
	}
	return span{lo, hi}
}

// Builder gathers addresses and networks into a Set.
type Builder struct {
	v4, v6 []span
}

// AddAddr adds one address (unmapped); an invalid one, or one with an
// IPv6 zone, adds nothing.
func (b *Builder) AddAddr(a netip.Addr) {
	if !a.IsValid() || a.Zone() != "" {
		return
	}
	a = a.Unmap()
	b.add(a.Is4(), span{number(a), number(a)})
}

// AddPrefix adds the addresses of a network (masked first); an invalid
// one adds nothing.
func (b *Builder) AddPrefix(p netip.Prefix) {
	if !p.IsValid() {
		return
	}
	p = p.Masked()
	b.add(p.Addr().Is4(), spanOf(p))
}

func (b *Builder) add(is4 bool, s span) {
	if is4 {
		b.v4 = append(b.v4, s)
	} else {
		b.v6 = append(b.v6, s)
	}
}

// Set returns the set of what was added. The Builder may go on adding
// for another Set.
func (b *Builder) Set() *Set {
	return &Set{v4: merged(b.v4), v6: merged(b.v6)}
}

// merged sorts spans and merges those that overlap or touch, into a
// slice of its own.
func merged(in []span) []span {
	if len(in) == 0 {
		return nil
	}
	s := slices.Clone(in)
	slices.SortFunc(s, func(a, b span) int { return a.lo.compare(b.lo) })
	out := s[:1]
	for _, x := range s[1:] {
		last := &out[len(out)-1]
		after, ok := last.hi.next()
		if !ok || !after.less(x.lo) { // x starts within last or just after it
			if last.hi.less(x.hi) {
				last.hi = x.hi
			}
			continue
		}
		out = append(out, x)
	}
	return slices.Clip(out)
}

// Contains reports whether a (unmapped) is one of the set's addresses or
// in one of its networks. An address with an IPv6 zone is in none, as
// netip.Prefix.Contains has it.
func (s *Set) Contains(a netip.Addr) bool {
	if s == nil || !a.IsValid() || a.Zone() != "" {
		return false
	}
	a = a.Unmap()
	spans := s.v6
	if a.Is4() {
		spans = s.v4
	}
	n := number(a)
	// The first span whose end is at or after n holds n if any does.
	lo, hi := 0, len(spans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e := spans[m].hi; e.hi < n.hi || e.hi == n.hi && e.lo < n.lo {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(spans) && !n.less(spans[lo].lo)
}

// Ranges is the number of disjoint ranges the set holds: what a lookup's
// binary search is over.
func (s *Set) Ranges() int {
	if s == nil {
		return 0
	}
	return len(s.v4) + len(s.v6)
}

// Empty reports whether the set holds no address.
func (s *Set) Empty() bool { return s.Ranges() == 0 }
