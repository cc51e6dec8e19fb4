package repl

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/plugins"
)

// maxCandidates bounds the candidates Tab offers at once.
const maxCandidates = 200

// completer completes what is typed at the prompt: meta-commands, the
// language's keywords, fields, plugins, stages' arguments, saved
// queries, and a field's values from the store's dictionaries.
type completer struct {
	s *session
	// quoteAt is where a bare value being completed began when one of
	// the values it may become needs quotes, so that the listener puts
	// the opening quote there after Tab (readline only appends); -1 when
	// none.
	quoteAt int
}

// Do gives the endings of the words that complete the one before pos,
// and that word's length (readline.AutoCompleter).
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	c.quoteAt = -1
	text := string(line[:pos])
	start, quoted := wordStart(text)
	word := text[start:]
	var cands []string
	var values bool
	if t := strings.TrimSpace(text); strings.HasPrefix(t, `\`) {
		cands, values = c.metaCandidates(t, text[:start])
	} else if !quoted && strings.HasPrefix(word, "@") {
		cands = c.listNames() // ip in @vps
	} else {
		cands, values = c.candidates(text[:start], quoted)
	}
	var out [][]rune
	for _, cand := range cands {
		if len(out) >= maxCandidates {
			break
		}
		if len(cand) < len(word) || !strings.EqualFold(cand[:len(word)], word) {
			continue
		}
		if word == "" && !values && fieldAliases[cand] {
			continue // on nothing typed, the catalog's names; aliases once a letter is
		}
		rest := cand[len(word):]
		if values && (quoted || needsQuotes(cand)) {
			rest += `"`
			if !quoted {
				c.quoteAt = len([]rune(text[:start]))
			}
		}
		out = append(out, []rune(rest))
	}
	return out, len([]rune(word))
}

// OnChange puts the opening quote before a bare value after Tab, when
// one of the values it may become needs quotes (readline.Listener):
// whether Tab completed it whole (with the closing quote), only as far as
// the values share ("Az" becomes "Azure " when several apps begin so,
// which unquoted would end the value at the space), or listed them, from
// which the one chosen brings its closing quote.
func (c *completer) OnChange(line []rune, pos int, key rune) ([]rune, int, bool) {
	if key != '\t' || c.quoteAt < 0 || c.quoteAt >= len(line) || c.quoteAt > pos || line[c.quoteAt] == '"' {
		return nil, 0, false
	}
	at := c.quoteAt
	c.quoteAt = -1
	out := slices.Insert(slices.Clone(line), at, '"')
	return out, pos + 1, true
}

// wordStart returns where the word being typed starts, and whether it is
// inside a quoted string.
func wordStart(text string) (int, bool) {
	inQuote, quoteStart := false, 0
	for i, r := range text {
		if r == '"' {
			inQuote = !inQuote
			quoteStart = i + 1
		}
	}
	if inQuote {
		return quoteStart, true
	}
	i := len(text)
	for i > 0 {
		r := rune(text[i-1])
		if unicode.IsSpace(r) || strings.ContainsRune("(),|=!<>~", r) {
			break
		}
		i--
	}
	return i, false
}

// needsQuotes reports whether a value must be quoted in a query: text
// with spaces or the language's signs, a keyword, or a field's name
// (client = Browser would compare with the field browser).
func needsQuotes(v string) bool {
	if engine.LookupColumn(v) != nil {
		return true
	}
	if v == "" {
		return true
	}
	for _, r := range v {
		if unicode.IsSpace(r) || strings.ContainsRune(`(),|=!<>~"'`, r) {
			return true
		}
	}
	return isKeywordWord(v)
}

// keywords are the language's words, for completion.
var keywords = strings.Fields(`where since between and or not in group by having order limit as asc desc
	contains startswith endswith like top list show explain analyze define undefine`)

func isKeywordWord(w string) bool { return slices.Contains(keywords, strings.ToLower(w)) }

// candidates returns the words that may come after before, and whether
// they are a field's values.
func (c *completer) candidates(before string, quoted bool) ([]string, bool) {
	s := c.s
	if quoted {
		before = strings.TrimSuffix(before, `"`)
	}
	toks := tokenize(before)
	n := len(toks)
	last := func(i int) string {
		if n-i-1 < 0 {
			return ""
		}
		return strings.ToLower(toks[n-i-1])
	}
	// A field's values: after field = (or another comparison), or in
	// field in (a, b, …).
	if f := valueField(toks); f != "" {
		return s.values.of(f), true
	}
	if quoted {
		return nil, false
	}
	switch {
	case n == 1 && last(0) == "undefine":
		return append(c.savedNames(false), c.savedNames(true)...), false
	case n >= 1 && strings.EqualFold(toks[0], "undefine"):
		return nil, false
	case last(0) == "|":
		// The language's operators on the rows, then stages.
		words := append([]string{"where", "order", "limit", "join", "sequence"}, s.reg.Names(plugins.KindStage)...)
		return append(words, c.savedNames(true)...), false
	case stageArgs(toks) != "":
		return c.stageArgNames(stageArgs(toks)), false
	case n == 0 || n == 1 && last(0) == "explain" || n == 2 && last(0) == "analyze":
		heads := []string{"count", "top", "list", "show", "define", "undefine"}
		if n == 0 {
			heads = append(heads, "explain")
		}
		heads = append(heads, c.callNames(plugins.KindAggregate)...)
		return append(heads, c.savedNames(false)...), false
	}
	words := append(slices.Clone(keywords), fieldNames()...)
	words = append(words, c.callNames(plugins.KindFunction)...)
	words = append(words, c.callNames(plugins.KindAggregate)...)
	return words, false
}

// metaCandidates completes a meta-command (text, from its backslash) or
// its argument (before is the text before the word being typed).
func (c *completer) metaCandidates(text, before string) ([]string, bool) {
	s := c.s
	name, _, hasArg := strings.Cut(strings.TrimPrefix(text, `\`), " ")
	if !hasArg {
		var out []string
		for _, m := range metaCommands {
			out = append(out, `\`+m.name)
		}
		return out, false
	}
	switch strings.ToLower(name) {
	case "format":
		return s.reg.Names(plugins.KindWriter), false
	case "timing":
		return []string{"on", "off"}, false
	case "now":
		return []string{"latest", "off"}, false
	case "timeout":
		return []string{"off"}, false
	case "output":
		return []string{"off"}, false
	case "maxmemory":
		return []string{"default", "256MiB", "1GiB", "4GiB"}, false
	case "plugins":
		return s.reg.Names(0), false
	case "help":
		return helpTopics(s.reg), false
	case "explain":
		_, q, _ := strings.Cut(before, " ")
		return c.candidates(q, false)
	}
	return nil, false
}

// callNames are the names of plugins of a kind, with "(" when they take
// arguments.
func (c *completer) callNames(kind plugins.Kind) []string {
	var out []string
	for _, p := range c.s.reg.All(kind) {
		d := p.Describe()
		if len(d.Args) > 0 {
			out = append(out, d.Name+"(")
		} else {
			out = append(out, d.Name)
		}
	}
	return out
}

// listNames are the named lists' names, with their @.
func (c *completer) listNames() []string {
	lists, err := c.s.store.Lists(context.Background())
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range lists {
		out = append(out, "@"+l.Name)
	}
	return out
}

// savedNames are the saved queries' names: of stages, or of queries.
func (c *completer) savedNames(stages bool) []string {
	saved, err := c.s.store.Saved(context.Background(), c.s.reg)
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range saved {
		if m.Err == nil && m.Stages == stages {
			out = append(out, m.Name)
		}
	}
	return out
}

// stageArgNames are a stage's arguments, as name=.
func (c *completer) stageArgNames(stage string) []string {
	p, ok := c.s.reg.Lookup(stage)
	if !ok {
		return nil
	}
	var out []string
	for _, a := range p.Describe().Args {
		out = append(out, a.Name+"=")
	}
	return out
}

// tokenize splits text into words, quoted strings, punctuation and
// operators, leniently: completion runs on half-typed queries.
func tokenize(text string) []string {
	var out []string
	rs := []rune(text)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '"' || r == '\'':
			j := i + 1
			for j < len(rs) && rs[j] != r {
				if rs[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, string(rs[i:min(j+1, len(rs))]))
			i = j + 1
		case strings.ContainsRune("(),|", r):
			out = append(out, string(r))
			i++
		case strings.ContainsRune("=!<>~", r):
			j := i + 1
			if j < len(rs) && rs[j] == '=' {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune(`(),|=!<>~"'`, rs[j]) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		}
	}
	return out
}

// comparisons are the operators after which a field's value comes.
var comparisons = []string{"=", "!=", "contains", "startswith", "endswith", "like"}

// valueField returns the field whose value the next word is: after
// "field =" (or another comparison), or inside "field in (…".
func valueField(toks []string) string {
	n := len(toks)
	if n >= 2 && slices.Contains(comparisons, strings.ToLower(toks[n-1])) {
		return fieldOf(toks[n-2])
	}
	// In an in-list: back to its "(", which follows "in".
	for i := n - 1; i >= 0; i-- {
		switch toks[i] {
		case ")":
			return ""
		case "(":
			if i >= 2 && strings.EqualFold(toks[i-1], "in") {
				return fieldOf(toks[i-2])
			}
			return ""
		}
		if toks[i] != "," && strings.HasPrefix(toks[i], "(") {
			return ""
		}
	}
	return ""
}

// fieldOf returns the catalog's name of a field, or "".
func fieldOf(word string) string {
	if f := signin.Lookup(word); f != nil {
		return f.Name
	}
	return ""
}

// stageArgs returns the stage whose arguments are being typed: the word
// after the last "|", when more than it has been typed.
func stageArgs(toks []string) string {
	for i := len(toks) - 1; i >= 0; i-- {
		if toks[i] == "|" {
			if i+1 < len(toks) {
				return toks[i+1]
			}
			return ""
		}
	}
	return ""
}

// fieldNames are the fields' names, then their aliases (Log Analytics
// and Graph names: UserPrincipalName, ipAddress).
func fieldNames() []string { return signin.Names() }

// fieldAliases are the aliases among fieldNames, which Tab offers only
// once a word is begun.
var fieldAliases = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range signin.Names() {
		if f := signin.Lookup(n); f != nil && f.Name != n {
			m[n] = true
		}
	}
	return m
}()
