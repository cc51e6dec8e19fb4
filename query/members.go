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
	n    int // the values it was built of
}

// smallIn is the most literal values a predicate tests one by one;
// beyond it they are made a members.
const smallIn = 16

// hasString reports whether a text value is one of the set's texts
// (without regard to case) or, as an address, one of its addresses or in
// one of its networks.
func (m *members) hasString(v string) bool {
	if _, ok := m.text[foldKey(v)]; ok {
		return true
	}
	if m.ips.Empty() {
		return false
	}
	a, err := netip.ParseAddr(v)
	return err == nil && m.ips.Contains(a)
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
// (each invalid byte by U+FFFD, as EqualFold decodes it), so that two
// texts are EqualFold exactly when their keys are equal.
func foldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		// The smallest of an ASCII letter's foldings is its capital (the
		// others, such as U+212A KELVIN SIGN, are beyond ASCII).
		b := []byte(s)
		changed := false
		for i, c := range b {
			if 'a' <= c && c <= 'z' {
				b[i] = c - 'a' + 'A'
				changed = true
			}
		}
		if !changed {
			return s
		}
		return string(b)
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
}

// foldRune is the smallest rune of r's orbit under unicode.SimpleFold.
func foldRune(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
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
