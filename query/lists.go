package query

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/ipset"
	"github.com/signinq/signinq/query/ast"
)

// List is a named list of values a condition tests membership of:
// F in @name holds when F's value is one of the list's (for ip, when the
// address is one of its addresses or in one of its networks). Its values
// are text, whole numbers, or addresses and networks (ListKind); a
// condition checks them against the field it tests. Some lists are
// built in (builtinLists); a store keeps its own in its metadata
// (ListSpace; SetList, RemoveList, Lists).
type List struct {
	Name    string   // as given: letters, digits and _, not beginning with a digit
	Values  []string // as given, each trimmed and non-empty
	Builtin bool
	Doc     string   // a built-in's: what its values are
	Sources []string // a built-in's: where its values come from

	mu sync.Mutex
	m  map[string]*members // by what it is tested against (membersKey)
}

// ListKind is what a list's values are.
type ListKind uint8

// The kinds of list.
const (
	ListText      ListKind = iota // any text
	ListNumbers                   // every value a whole number
	ListAddresses                 // every value an IP address or a network (CIDR)
)

func (k ListKind) String() string {
	return [...]string{"text", "numbers", "addresses"}[k]
}

// Kind is what the list's values are: numbers when every one is a whole
// number, addresses when every one is an IP address or network, text
// otherwise (and for a list without values).
func (l *List) Kind() ListKind {
	if len(l.Values) == 0 {
		return ListText
	}
	nums, addrs := true, true
	for _, v := range l.Values {
		if nums {
			_, err := strconv.ParseInt(v, 10, 64)
			nums = err == nil
		}
		if addrs {
			addrs = isAddress(v)
		}
		if !nums && !addrs {
			return ListText
		}
	}
	if nums {
		return ListNumbers
	}
	return ListAddresses
}

// isAddress reports whether v is an IP address or network.
func isAddress(v string) bool {
	if strings.Contains(v, "/") {
		_, err := netip.ParsePrefix(v)
		return err == nil
	}
	_, err := netip.ParseAddr(v)
	return err == nil
}

// maxListValues is the most values a list holds.
const maxListValues = 1 << 20

// ErrBuiltinList is the error of changing, removing or replacing a
// built-in list.
var ErrBuiltinList = errors.New("query: a built-in list cannot be changed")

// ErrUnknownList is the error of removing or showing a list that
// neither the store nor the built-ins have.
var ErrUnknownList = errors.New("query: no such list")

// Builtins returns the built-in lists, by name.
func Builtins() []*List {
	out := slices.Clone(builtinLists)
	slices.SortFunc(out, func(a, b *List) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// builtin returns the built-in list of a name (any case), or nil.
func builtin(name string) *List {
	for _, l := range builtinLists {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

// checkListName refuses a name a list cannot have.
func checkListName(name string) error {
	if !isName(name) {
		return fmt.Errorf("query: list %q: a list's name is letters, digits and _, not beginning with a digit", name)
	}
	if len(name) > 200 {
		return fmt.Errorf("query: list %.20s…: a list's name is at most 200 bytes", name)
	}
	if b := builtin(name); b != nil {
		return fmt.Errorf("%w: @%s is built in; give your list another name", ErrBuiltinList, b.Name)
	}
	return nil
}

// checkListValues refuses values a list cannot hold: empty ones, ones
// with a line break, or too many.
func checkListValues(values []string) error {
	if len(values) > maxListValues {
		return fmt.Errorf("a list holds at most %d values, not %d", maxListValues, len(values))
	}
	for i, v := range values {
		if strings.TrimSpace(v) != v || v == "" {
			return fmt.Errorf("its value %d (%q): a value is not empty and has no space around it", i+1, v)
		}
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("its value %d (%q) holds a line break", i+1, v)
		}
	}
	return nil
}

// listSource is where a statement finds the lists it uses: the built-ins,
// and those of the snapshot it runs on, each read once (and kept for a
// check again of the same statement: ExecuteRows with NowLatest).
type listSource struct {
	mu    sync.Mutex
	snap  *engine.Snapshot // nil: the built-ins only (and given)
	given map[string]*List // lists given by their values (CheckLists), by lower-case name
	got   map[string]*List // by lower-case name; nil value: none
	// lenient: a list neither the built-ins nor snap have is taken as
	// empty, for a saved query's check at its define.
	lenient bool
}

// lookup returns the list of a name (any case), or nil when neither the
// built-ins nor the store have one.
func (s *listSource) lookup(name string) (*List, error) {
	if b := builtin(name); b != nil {
		return b, nil
	}
	if s == nil {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := strings.ToLower(name)
	if l, ok := s.given[k]; ok {
		return l, nil
	}
	if l, ok := s.got[k]; ok {
		return l, nil
	}
	if s.snap == nil {
		return nil, nil
	}
	l, err := readList(s.snap, k)
	if err != nil {
		return nil, err
	}
	if s.got == nil {
		s.got = map[string]*List{}
	}
	s.got[k] = l
	return l, nil
}

// givenLists is the source of the built-ins and lists given by their
// values, by name, each checked as SetList checks a store's.
func givenLists(lists map[string][]string) (*listSource, error) {
	s := &listSource{given: make(map[string]*List, len(lists))}
	for name, values := range lists {
		if err := checkListName(name); err != nil {
			return nil, err
		}
		if builtin(name) != nil {
			return nil, fmt.Errorf("%w: @%s is built in", ErrBuiltinList, name)
		}
		if err := checkListValues(values); err != nil {
			return nil, fmt.Errorf("query: list %s: %v", name, err)
		}
		s.given[strings.ToLower(name)] = &List{Name: name, Values: values}
	}
	return s, nil
}

// names returns the names of the lists the source has, for did-you-mean.
func (s *listSource) names() []string {
	var out []string
	for _, l := range builtinLists {
		out = append(out, "@"+l.Name)
	}
	if s != nil {
		for _, l := range s.given {
			out = append(out, "@"+l.Name)
		}
	}
	if s == nil || s.snap == nil {
		return out
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := storedListNames(s.snap)
	if err != nil {
		return out // only for a suggestion
	}
	for _, n := range stored {
		out = append(out, "@"+n)
	}
	return out
}

// listRef returns the name of the list a literal refers to: an unquoted
// @name, where name is letters, digits and _ (a quoted "@x", or
// @contoso.com, is a value).
func listRef(v *ast.Literal) (string, bool) {
	if v.Quoted || len(v.Text) < 2 || v.Text[0] != '@' || !isName(v.Text[1:]) {
		return "", false
	}
	return v.Text[1:], true
}

// listOperand adds a list's values to a predicate's (F in @name), typed
// by the field as in (…) types them: its members, for the field, built
// once per list and field.
func (c *checker) listOperand(p *pred, v *ast.Literal, name string) error {
	switch p.op {
	case opIn, opNotIn, opCIDR:
	default:
		return errorf(v.Pos, "@%s is a list: test membership with in (%s in @%s)", name, p.field().Name, name)
	}
	l, err := c.lists.lookup(name)
	if err != nil {
		return err
	}
	if l == nil && c.lists != nil && c.lists.lenient {
		l = &List{Name: name}
	}
	if l == nil {
		return errorf(v.Pos, "unknown list @%s%s", name, didYouMean("@"+name, c.lists.names()))
	}
	m, err := l.membersFor(p.field())
	if err != nil {
		return errorf(v.Pos, "%v", err)
	}
	p.sets = append(p.sets, m)
	return nil
}

// membersFor returns the list's values as a set for a test of field f,
// made once per field, or an error saying which value f cannot hold.
func (l *List) membersFor(f *signin.Field) (*members, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := membersKey(f)
	if m := l.m[key]; m != nil {
		return m, nil
	}
	m, err := newMembers(f, l.Values, func(i int, why string) error {
		return fmt.Errorf("list @%s cannot be tested against %s: its value %q (the %s) %s", l.Name, f.Name, l.Values[i], ordinal(i+1), why)
	})
	if err != nil {
		return nil, err
	}
	if l.m == nil {
		l.m = map[string]*members{}
	}
	l.m[key] = m
	return m, nil
}

// membersKey is what a list's set for a field depends on: the field's
// kind, whether it is ip, and its values (which an enumerated field's
// list is checked against). A function's result is a field made for
// each query: keyed so, its sets are shared rather than piled up.
func membersKey(f *signin.Field) string {
	return fmt.Sprintf("%s|%s|%v|%s", f.Name, f.Kind, f.Name == "ip", strings.Join(f.Values, "\x00"))
}

// newMembers types values for a test of field f as a where types them,
// into a set. bad words the error of value i.
func newMembers(f *signin.Field, values []string, bad func(i int, why string) error) (*members, error) {
	m := &members{n: len(values)}
	var ips ipset.Builder
	hasIP := false
	for i, v := range values {
		switch f.Kind {
		case signin.KindInt:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, bad(i, fmt.Sprintf("is not a whole number, which %s is", f.Name))
			}
			if m.ints == nil {
				m.ints = map[int64]struct{}{}
			}
			m.ints[n] = struct{}{}
		case signin.KindFloat:
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, bad(i, fmt.Sprintf("is not a number, which %s is", f.Name))
			}
			if m.flts == nil {
				m.flts = map[float64]struct{}{}
			}
			m.flts[x] = struct{}{}
		case signin.KindBool:
			b, err := strconv.ParseBool(strings.ToLower(v))
			if err != nil {
				return nil, bad(i, fmt.Sprintf("is not true or false, which %s is", f.Name))
			}
			if m.ints == nil {
				m.ints = map[int64]struct{}{}
			}
			m.ints[map[bool]int64{false: 0, true: 1}[b]] = struct{}{}
		case signin.KindTime:
			return nil, bad(i, fmt.Sprintf("is not for a time: compare %s with <, <=, >, >= (or use since and between)", f.Name))
		default:
			if f.Name == "ip" {
				if pfx, err := netip.ParsePrefix(v); err == nil {
					ips.AddPrefix(pfx)
					hasIP = true
					continue
				}
				a, err := netip.ParseAddr(v)
				if err != nil {
					why := "is not an IP address or network"
					if e := badAddress(v); e != nil {
						why = e.Error()
					}
					return nil, bad(i, why)
				}
				if a.Zone() != "" {
					if m.zoned == nil {
						m.zoned = map[netip.Addr]struct{}{}
					}
					m.zoned[a.Unmap()] = struct{}{}
				}
				ips.AddAddr(a)
				hasIP = true
			}
			if f.Values != nil {
				known := false
				for _, k := range f.Values {
					known = known || strings.EqualFold(k, v)
				}
				if !known {
					return nil, bad(i, fmt.Sprintf("is not one of %s's values%s (%s)", f.Name, didYouMean(v, f.Values), strings.Join(f.Values, ", ")))
				}
			}
			if m.text == nil {
				m.text = map[string]struct{}{}
			}
			m.text[foldKey(v)] = struct{}{}
		}
	}
	if hasIP {
		m.ips = ips.Set()
	}
	m.filterText()
	return m, nil
}

// ordinal is 1st, 2nd, 3rd, 4th….
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
