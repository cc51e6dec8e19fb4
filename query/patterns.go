package query

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/query/ast"
)

// combinePatterns makes the pattern matches (~ and like) of an or's
// operands that are on one field one predicate, which matches a value
// when any of them does (a patternSet): the field's dictionary values
// (or its rows, for a field without a dictionary) are read once instead
// of once per pattern, each value is matched only by the patterns whose
// required text it holds, and the predicate's rows are found once. The
// other operands are kept as they are; the combined predicate stands
// where the first of its patterns stood.
//
// One regular expression of the patterns' alternation would be one
// program, but Go's regexp package simulates it state by state, and
// 2,500 alternatives cost more than 2,500 matches of a pattern each.
func combinePatterns(xs []cond) []cond {
	byCol := map[*engine.Column][]int{}
	for i, x := range xs {
		if p, ok := x.(*pred); ok && p.fn == nil && (p.op == opRegex || p.op == opLike) {
			byCol[p.col] = append(byCol[p.col], i)
		}
	}
	drop := map[int]bool{}
	for _, at := range byCol {
		if len(at) < 2 {
			continue
		}
		preds := make([]*pred, len(at))
		for j, i := range at {
			preds[j] = xs[i].(*pred)
		}
		xs[at[0]] = combinedPred(preds)
		for _, i := range at[1:] {
			drop[i] = true
		}
	}
	if len(drop) == 0 {
		return xs
	}
	out := make([]cond, 0, len(xs)-len(drop))
	for i, x := range xs {
		if !drop[i] {
			out = append(out, x)
		}
	}
	return out
}

// combinedPred is one predicate matching what any of preds (pattern
// matches on one field, as written or combined) matches.
func combinedPred(preds []*pred) *pred {
	var src ast.Expr
	var res []*regexp.Regexp
	for _, p := range preds {
		src = orOf(src, p.src)
		if p.set != nil {
			res = append(res, p.set.res...)
		} else {
			res = append(res, p.re)
		}
	}
	return &pred{src: src, col: preds[0].col, op: opRegex, set: newPatternSet(res), patterns: len(res)}
}

// patternSet matches a text when any of its regular expressions does.
// Each pattern's required text (a literal every match holds, compared
// without regard to case; at the start of the text for a pattern
// anchored there) is indexed by its first bytes, so that a text is
// matched only by the patterns whose required text it holds, and by
// those that have none.
type patternSet struct {
	res    []*regexp.Regexp
	lits   []string // each pattern's required text, folded; "" for none
	always []int    // the patterns without one
	// Patterns by their required text's first keyLen (or fewer) bytes:
	// those whose text may be anywhere, and those whose text starts the
	// text they match.
	anywhere, prefix keyIndex
}

// keyIndex indexes patterns by the first bytes of their required text.
type keyIndex struct {
	by   map[string][]int32
	lens []int // the lengths of its keys, ascending
}

func (x *keyIndex) add(lit string, i int) {
	if x.by == nil {
		x.by = map[string][]int32{}
	}
	k := lit[:min(keyLen, len(lit))]
	if _, ok := x.by[k]; !ok && !slices.Contains(x.lens, len(k)) {
		x.lens = append(x.lens, len(k))
		slices.Sort(x.lens)
	}
	x.by[k] = append(x.by[k], int32(i))
}

// keyLen is the most bytes of a required text the index is keyed by.
const keyLen = 3

func newPatternSet(res []*regexp.Regexp) *patternSet {
	s := &patternSet{res: res, lits: make([]string, len(res))}
	for i, re := range res {
		lit, anchored := "", false
		if t, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
			lit, anchored = requiredStart(t)
			if lit == "" {
				lit = requiredText(t)
			}
			lit = fold(lit)
		}
		s.lits[i] = lit
		switch {
		case lit == "":
			s.always = append(s.always, i)
		case anchored:
			s.prefix.add(lit, i)
		default:
			s.anywhere.add(lit, i)
		}
	}
	return s
}

// match reports whether some pattern matches v.
func (s *patternSet) match(v string) bool {
	for _, i := range s.always {
		if s.matchOne(i, v) {
			return true
		}
	}
	if s.prefix.by == nil && s.anywhere.by == nil {
		return false
	}
	fv := fold(v)
	for _, n := range s.prefix.lens {
		if n > len(fv) {
			break
		}
		for _, i := range s.prefix.by[fv[:n]] {
			if strings.HasPrefix(fv, s.lits[i]) && s.matchOne(int(i), v) {
				return true
			}
		}
	}
	if s.anywhere.by == nil {
		return false
	}
	var buf [8]int32
	tried := buf[:0] // a pattern's key may be at several places: it is tried once
	for at := range len(fv) {
		for _, n := range s.anywhere.lens {
			if at+n > len(fv) {
				break
			}
			for _, i := range s.anywhere.by[fv[at:at+n]] {
				if slices.Contains(tried, i) || !strings.Contains(fv, s.lits[i]) {
					continue
				}
				if s.matchOne(int(i), v) {
					return true
				}
				tried = append(tried, i)
			}
		}
	}
	return false
}

func (s *patternSet) matchOne(i int, v string) bool {
	if testHookRegexp != nil {
		testHookRegexp()
	}
	return s.res[i].MatchString(v)
}

// requiredStart returns the literal every text a regular expression
// matches starts with, when it is anchored at the start of the text
// (^abc, a like pattern not starting with *): the literal, and true.
func requiredStart(re *syntax.Regexp) (string, bool) {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText || re.Sub[1].Op != syntax.OpLiteral {
		return "", false
	}
	return string(re.Sub[1].Rune), true
}

// requiredText returns a literal that every text a regular expression
// matches holds (the longest it finds), or "" when it finds none.
func requiredText(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		return string(re.Rune)
	case syntax.OpCapture, syntax.OpPlus:
		return requiredText(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredText(re.Sub[0])
		}
	case syntax.OpConcat:
		best := ""
		for _, sub := range re.Sub {
			if t := requiredText(sub); utf8.RuneCountInString(t) > utf8.RuneCountInString(best) {
				best = t
			}
		}
		return best
	}
	return ""
}

// fold maps each character of s to the smallest of those equal to it
// without regard to case (unicode.SimpleFold's orbit, as a regular
// expression's (?i) compares them): two texts equal without regard to
// case fold to the same text, and a text holding another, so compared,
// holds it folded.
func fold(s string) string {
	ascii := true
	for i := range len(s) {
		if c := s[i]; c >= utf8.RuneSelf || 'a' <= c && c <= 'z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A'
		case r >= utf8.RuneSelf:
			m := r
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				m = min(m, f)
			}
			r = m
		}
		b.WriteRune(r)
	}
	return b.String()
}
