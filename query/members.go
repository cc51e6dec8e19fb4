package query

import (
	"math"
	"net/netip"
	"unicode"
	"unicode/utf8"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/ipset"
	"github.com/signinq/signinq/result"
)

// members is a set of values an in tests in constant or logarithmic
// time, whatever their number: text without regard to case (by foldKey),
// whole and decimal numbers (times and flags as whole numbers), and for
// ip its addresses and networks (internal/ipset). It is made in one of
// two ways. All at once, of values known when the query is checked: a
// named list's (List.membersFor, newMembers), and a literal in-list longer
// than smallIn (compactOperands). Or streamed, for in (QUERY): empty
// when checked, then at each run emptied (reset), given the subquery's
// values one at a time (add) and sealed (seal) before the outer query
// reads it; a streamed set's nulls and empty texts are never members, as
// nothing missing is. Once built or sealed it is read by any number of
// goroutines.
type members struct {
	text map[string]struct{}
	ints map[int64]struct{}
	flts map[float64]struct{}
	ips  *ipset.Set
	// zoned are the addresses with an IPv6 zone (unmapped), which ips
	// does not hold.
	zoned map[netip.Addr]struct{}
	n     int // the values it was built of
	// filter, for many texts, rules out most texts that are none of
	// them at less cost than a lookup (hasText).
	filter textFilter
	// streamed says the set is a subquery's, made at each run (add);
	// ip, that its texts are the field ip's, kept as addresses when they
	// are; addrs gathers them until seal.
	streamed, ip bool
	addrs        ipset.Builder
}

// newStreamed returns an empty set for a subquery's values; ip says they
// are tested against the field ip (as addresses).
func newStreamed(ip bool) *members { return &members{streamed: true, ip: ip} }

// reset empties a streamed set for another run.
func (m *members) reset() {
	*m = members{streamed: true, ip: m.ip}
}

// add adds a value to a streamed set: each element of a list; whole
// numbers (times, flags) also as decimal ones and whole decimal numbers
// also as whole ones, so that a number field of either kind finds them.
func (m *members) add(v result.Value) {
	switch {
	case v.IsNull():
		return
	case v.Kind() == signin.KindList:
		for _, s := range v.List() {
			m.addText(s)
		}
	case v.Kind() == signin.KindString:
		m.addText(v.Str())
	case v.Kind() == signin.KindFloat:
		x := v.Float()
		if math.IsNaN(x) {
			return
		}
		m.addFloat(x)
		if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
			m.addInt(int64(x))
		}
	default: // whole numbers, times, flags
		m.addInt(v.Int())
		m.addFloat(float64(v.Int()))
	}
	m.n++
}

func (m *members) addText(s string) {
	if s == "" {
		return
	}
	if m.ip {
		if a, err := netip.ParseAddr(s); err == nil {
			if a.Zone() != "" {
				if m.zoned == nil {
					m.zoned = map[netip.Addr]struct{}{}
				}
				m.zoned[a.Unmap()] = struct{}{}
			}
			m.addrs.AddAddr(a)
			return
		}
	}
	if m.text == nil {
		m.text = map[string]struct{}{}
	}
	m.text[foldKey(s)] = struct{}{}
}

func (m *members) addInt(x int64) {
	if m.ints == nil {
		m.ints = map[int64]struct{}{}
	}
	m.ints[x] = struct{}{}
}

func (m *members) addFloat(x float64) {
	if m.flts == nil {
		m.flts = map[float64]struct{}{}
	}
	m.flts[x] = struct{}{}
}

// seal ends a streamed set's run of adds: its addresses become ips and
// its texts, when many, get their filter.
func (m *members) seal() {
	m.ips = m.addrs.Set()
	m.addrs = ipset.Builder{}
	m.filterText()
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
		_, ok := m.zoned[a.Unmap()]
		return ok
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
				if m.zoned == nil {
					m.zoned = map[netip.Addr]struct{}{}
				}
				m.zoned[a.Unmap()] = struct{}{}
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

// streamed reports whether the predicate tests a subquery's values,
// which are known only when it runs.
func (p *pred) streamed() bool {
	for _, m := range p.sets {
		if m.streamed {
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
