package query

import (
	"net/netip"
	"unicode"
	"unicode/utf8"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/ipset"
)

// members is a set of values an in tests in constant or logarithmic
// time, whatever their number: text without regard to case (by foldKey),
// whole and decimal numbers, and for ip its addresses and networks
// (internal/ipset). A named list's values are one (List.members); so are
// the values of a literal in-list longer than smallIn. It is read by
// any number of goroutines once built.
type members struct {
	text map[string]struct{}
	ints map[int64]struct{}
	flts map[float64]struct{}
	ips  *ipset.Set
	// zoned are the addresses with an IPv6 zone (unmapped), which ips
	// does not hold.
	zoned []netip.Addr
	n     int // the values it was built of
	// filter, for many texts, rules out most texts that are none of
	// them at less cost than a lookup (hasText).
	filter textFilter
}

// smallIn is the most literal values a predicate tests one by one;
// beyond it they are made a members.
var smallIn = 16 // a variable so that a benchmark can compare with testing each value

// hasString reports whether a text value is one of the set's texts
// (without regard to case) or, as an address, one of its addresses or in
// one of its networks.
func (m *members) hasString(v string) bool {
	if m.ips.Empty() && len(m.zoned) == 0 {
		return len(m.text) > 0 && m.hasText(v)
	}
	a, err := netip.ParseAddr(v)
	if err == nil && a.Zone() == "" {
		// An address: a text of the set it equals without regard to case
		// is the same address, which ips holds.
		return m.ips.Contains(a)
	}
	if len(m.text) > 0 && m.hasText(v) {
		return true
	}
	if err == nil {
		// As ip = fe80::1%eth0 compares: the same address and zone; no
		// network holds an address with a zone.
		a = a.Unmap()
		for _, z := range m.zoned {
			if a == z {
				return true
			}
		}
	}
	return false
}

// hasText reports whether v's foldKey is one of the set's texts. For
// ASCII text a filter of the keys' lengths and ends rules most texts out
// before the key is hashed whole: a list of 100,000 users costs little
// more than one equality for each user of a part's dictionary.
func (m *members) hasText(v string) bool {
	if m.filter != nil && isASCII(v) && !m.filter.has(v) {
		return false
	}
	_, ok := m.text[foldKey(v)]
	return ok
}

// textFilter is a set of bits, each set by some keys (textFilter.bit): a
// key whose bit is clear is none of them.
type textFilter []uint64

// filterBits is the size of a textFilter in bits (128 KiB).
const filterBits = 1 << 20

// bit is a key's bit: of its length and its first and last four bytes,
// in small letters (an ASCII text's key is itself so, filter.has).
func (textFilter) bit(s string) uint32 {
	h := uint32(len(s)) * 0x9e3779b1
	n := min(len(s), 4)
	for i := range n {
		h = (h ^ uint32(lowerASCII(s[i]))) * 0x01000193
	}
	for i := len(s) - n; i < len(s); i++ {
		h = (h ^ uint32(lowerASCII(s[i]))) * 0x01000193
	}
	return (h ^ h>>15) % filterBits
}

func (f textFilter) add(key string) {
	b := f.bit(key)
	f[b/64] |= 1 << (b % 64)
}

func (f textFilter) has(s string) bool {
	b := f.bit(s)
	return f[b/64]&(1<<(b%64)) != 0
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// minFiltered is the fewest texts a set has a filter for.
const minFiltered = 256

// filterText makes the set's filter when it has texts enough.
func (m *members) filterText() {
	if len(m.text) < minFiltered {
		return
	}
	m.filter = make(textFilter, filterBits/64)
	for k := range m.text {
		m.filter.add(k)
	}
}

func (m *members) hasInt(v int64) bool {
	_, ok := m.ints[v]
	return ok
}

func (m *members) hasFloat(v float64) bool {
	_, ok := m.flts[v]
	return ok
}

// foldKey is text as strings.EqualFold sees it: each character replaced
// by the smallest of those it equals under Unicode simple case folding
// (each invalid byte by U+FFFD, as EqualFold decodes it), and that, when
// an ASCII capital, by its small letter; so that two texts are EqualFold
// exactly when their keys are equal, and ASCII text in small letters,
// most of what sign-ins hold, is its own key.
func foldKey(s string) string {
	if asciiKey(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
}

// asciiKey reports whether s is ASCII without capitals: its own key.
func asciiKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// foldRune is the smallest rune of r's orbit under unicode.SimpleFold,
// or, when that is an ASCII capital, its small letter (the orbit of k
// holds K, k and U+212A KELVIN SIGN).
func foldRune(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}

// compactOperands makes a set of an in's literal values when they are
// more than smallIn, so that testing one value costs about the same
// whatever their number (2,000 networks in ip in (…) are one binary
// search, not 2,000 tests).
func (p *pred) compactOperands() {
	switch p.op {
	case opIn, opNotIn, opCIDR:
	default:
		return
	}
	n := len(p.strs) + len(p.ints) + len(p.cidrs)
	if p.field().Kind == signin.KindFloat {
		n = len(p.flts)
	}
	if n <= smallIn {
		return
	}
	m := &members{n: n}
	if len(p.strs) > 0 {
		m.text = make(map[string]struct{}, len(p.strs))
		for _, s := range p.strs {
			m.text[foldKey(s)] = struct{}{}
		}
	}
	if len(p.cidrs)+len(p.addrs) > 0 {
		var b ipset.Builder
		for _, c := range p.cidrs {
			b.AddPrefix(c)
		}
		for _, a := range p.addrs {
			if a.Zone() != "" {
				m.zoned = append(m.zoned, a.Unmap())
			}
			b.AddAddr(a)
		}
		m.ips = b.Set()
	}
	switch p.field().Kind {
	case signin.KindFloat:
		m.flts = make(map[float64]struct{}, len(p.flts))
		for _, x := range p.flts {
			m.flts[x] = struct{}{}
		}
	case signin.KindInt, signin.KindBool:
		m.ints = make(map[int64]struct{}, len(p.ints))
		for _, x := range p.ints {
			m.ints[x] = struct{}{}
		}
	}
	m.filterText()
	p.strs, p.ints, p.flts, p.cidrs, p.addrs = nil, nil, nil, nil, nil
	p.sets = append(p.sets, m)
}

// inSets reports whether a text value is in one of the predicate's sets.
func (p *pred) inSets(v string) bool {
	for _, m := range p.sets {
		if m.hasString(v) {
			return true
		}
	}
	return false
}

func (p *pred) intInSets(v int64) bool {
	for _, m := range p.sets {
		if m.hasInt(v) {
			return true
		}
	}
	return false
}

func (p *pred) floatInSets(v float64) bool {
	for _, m := range p.sets {
		if m.hasFloat(v) {
			return true
		}
	}
	return false
}

// hasRanges reports whether the predicate tests networks of a set, which
// a dictionary value's bitmap does not stand for one to one.
func (p *pred) hasRanges() bool {
	for _, m := range p.sets {
		if !m.ips.Empty() {
			return true
		}
	}
	return false
}

// operandCount is the number of values the predicate tests.
func (p *pred) operandCount() int {
	n := len(p.strs) + len(p.ints) + len(p.flts)
	for _, m := range p.sets {
		n += m.n
	}
	return n
}
