package signin

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Aliases: the names analysts know a field by, from the tools they query
// sign-ins with. Every field also answers, in queries and completion, to
// its Log Analytics column (UserPrincipalName, ResultType, TimeGenerated)
// and its Microsoft Graph property (userPrincipalName, status.errorCode,
// createdDateTime), matched without regard to case. They are read from
// the catalog's From column, the one record of where each field comes
// from: the names a format's entry lists, except fallbacks ("else X": X
// holds the value only when the first is missing, so it does not name the
// field) and descriptions ("derived", "the file name …"). A field made of
// several sources (authMethod) answers to each. A dotted name is a key
// inside a column or an object (DeviceDetail.browser, status.errorCode):
// the query language reads it as one word.

// aliasFormats are the formats whose names are aliases: Log Analytics,
// then Graph.
var aliasFormats = []Format{FormatLogAnalyticsCSV, FormatGraph}

var (
	// sourceName is a name as From writes one: identifiers joined by dots.
	sourceName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
	// aside is a parenthesis of From, which explains, and names nothing.
	aside = regexp.MustCompile(`\([^)]*\)`)
)

// SourceNames returns the names of the field in a format, as its From
// entry lists them (separated by commas or semicolons), in order: without
// fallbacks and descriptions, and with a list's brackets left out
// (AuthenticationDetails[].authenticationMethod is
// AuthenticationDetails.authenticationMethod: the method of every
// element).
func (f *Field) SourceNames(format Format) []string {
	var out []string
	text := strings.ReplaceAll(aside.ReplaceAllString(f.From[format], ""), "[]", "")
	for _, s := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' }) {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "else ") || s == "derived" || !sourceName.MatchString(s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Aliases returns the other names the field answers to: its names in
// aliasFormats, each once without regard to case, the field's own name
// left out.
func (f *Field) Aliases() []string {
	var out []string
	for _, format := range aliasFormats {
		for _, n := range f.SourceNames(format) {
			if strings.EqualFold(n, f.Name) || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, n) }) {
				continue
			}
			out = append(out, n)
		}
	}
	return out
}

// Spelled reports whether name is the field's name or one of its
// aliases spelled exactly as the catalog or its format spells it
// (Identity, the Log Analytics column, for identity; UserPrincipalName
// for user), not merely the same letters in another case.
func (f *Field) Spelled(name string) bool {
	if name == f.Name {
		return true
	}
	for _, format := range aliasFormats {
		if slices.Contains(f.SourceNames(format), name) {
			return true
		}
	}
	return false
}

// byAlias maps aliases, in lower case, to their fields.
var byAlias, _ = aliasIndex(fields)

// aliasIndex maps the fields' aliases, in lower case, to their fields. An
// alias two fields claim, or that is another field's name, would make a
// query mean one of them at random: it is left out, and returned among
// the conflicts (TestAliases fails on any).
func aliasIndex(fs []*Field) (map[string]*Field, []string) {
	names := map[string]*Field{}
	for _, f := range fs {
		names[strings.ToLower(f.Name)] = f
	}
	claims := map[string][]string{} // alias → the fields claiming it
	var order []string
	for _, f := range fs {
		for _, a := range f.Aliases() {
			k := strings.ToLower(a)
			if claims[k] == nil {
				order = append(order, k)
			}
			claims[k] = append(claims[k], f.Name)
		}
	}
	m := map[string]*Field{}
	var conflicts []string
	for _, k := range order {
		switch c := claims[k]; {
		case len(c) > 1:
			conflicts = append(conflicts, fmt.Sprintf("%s is an alias of %s", k, strings.Join(c, " and ")))
		case names[k] != nil:
			conflicts = append(conflicts, fmt.Sprintf("%s is an alias of %s and the name of %s", k, c[0], names[k].Name))
		default:
			m[k] = names[strings.ToLower(c[0])]
		}
	}
	return m, conflicts
}

// Names returns every name queries may use for a field: the catalog's
// names, then the aliases, in the catalog's order.
func Names() []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.Name)
	}
	for _, f := range fields {
		for _, a := range f.Aliases() {
			if byAlias[strings.ToLower(a)] == f {
				out = append(out, a)
			}
		}
	}
	return out
}
