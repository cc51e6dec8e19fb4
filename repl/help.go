package repl

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/signinq/signinq/docs"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/query"
)

// The help is docs/query-language.md itself (package docs embeds it):
// \help shows its introduction and the commands, \help TOPIC one of its
// sections, a plugin's manual, or a field's line of the catalog.

// section is one "## " section of a Markdown document.
type section struct{ title, body string }

// sections splits a document at its "## " headings; the text before the
// first is the introduction.
func sections(doc string) (intro string, out []section) {
	parts := strings.Split("\n"+doc, "\n## ")
	intro = strings.TrimSpace(parts[0])
	for _, p := range parts[1:] {
		title, body, _ := strings.Cut(p, "\n")
		out = append(out, section{title: strings.TrimSpace(title), body: body})
	}
	return intro, out
}

// helpTopics are what \help takes: the language's sections (by their
// first word, lower case), "commands", "fields", and plugins' names.
func helpTopics(reg *plugins.Registry) []string {
	topics := []string{"commands", "fields"}
	_, secs := sections(docs.QueryLanguage)
	for _, s := range secs {
		topics = append(topics, topicName(s.title))
	}
	return append(topics, reg.Names(0)...)
}

// topicName is a section's topic: its title's first word, lower case.
func topicName(title string) string {
	w, _, _ := strings.Cut(strings.ToLower(title), " ")
	return strings.Trim(w, ",")
}

func (s *session) help(_ context.Context, topic string) error {
	w := s.out
	topic = strings.ToLower(strings.TrimSpace(topic))
	intro, secs := sections(docs.QueryLanguage)
	switch topic {
	case "":
		fmt.Fprintln(w, plain(intro))
		fmt.Fprintln(w)
		for _, sec := range secs {
			if sec.title == "Kinds of query" {
				fmt.Fprintln(w, "Examples:")
				fmt.Fprintln(w, plain(sec.body))
			}
		}
		s.commandsHelp()
		fmt.Fprintf(w, "\nTopics (\\help TOPIC): %s, and any plugin's name (\\plugins lists them).\n", strings.Join(helpTopics(plugins.NewRegistry()), ", "))
		return nil
	case "commands":
		s.commandsHelp()
		return nil
	case "fields":
		return s.fields(context.Background(), "")
	}
	for _, sec := range secs {
		if topicName(sec.title) == topic || strings.EqualFold(sec.title, topic) {
			fmt.Fprintf(w, "%s\n\n%s\n", sec.title, plain(sec.body))
			return nil
		}
	}
	if p, ok := s.reg.Lookup(topic); ok {
		d := p.Describe()
		fmt.Fprint(w, d.Manual())
		return nil
	}
	msg := fmt.Sprintf("no help on %q", topic)
	if best := query.Suggest(topic, helpTopics(s.reg)); best != "" {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return fmt.Errorf("%s (\\help lists the topics)", msg)
}

// commandsHelp lists the meta-commands.
func (s *session) commandsHelp() {
	fmt.Fprintln(s.out, "\nCommands:")
	for _, m := range metaCommands {
		fmt.Fprintf(s.out, "  %-28s %s\n", `\`+m.name+" "+m.args, m.help)
	}
	fmt.Fprintln(s.out, `  A line ending in \ continues on the next; Tab completes; Ctrl-R searches the history; Ctrl-C cancels a query, or abandons the line; Ctrl-D quits.`)
}

var (
	mdLink  = regexp.MustCompile(`\[([^\]]+)\]\([^)]+\)`)
	mdFence = regexp.MustCompile("(?m)^```[a-z]*\n")
)

// plain turns Markdown into text for a terminal: links become their
// text, code fences go, tables become aligned columns; the rest (lists,
// code) reads as it is.
func plain(md string) string {
	md = mdLink.ReplaceAllString(md, "$1")
	md = mdFence.ReplaceAllString(md, "")
	var out []string
	var table [][]string
	flush := func() {
		out = append(out, alignTable(table)...)
		table = nil
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "|") {
			if !mdRule.MatchString(line) {
				table = append(table, tableCells(line))
			}
			continue
		}
		if table != nil {
			flush()
		}
		out = append(out, line)
	}
	if table != nil {
		flush()
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// maxHelpWidth is the widest a help table is written as columns.
const maxHelpWidth = 100

// mdRule matches a table's header rule: |---|---|.
var mdRule = regexp.MustCompile(`^\|[\s:|-]+\|?\s*$`)

// tableCells splits a Markdown table row into its cells (an escaped \|
// stays in its cell).
func tableCells(line string) []string {
	line = strings.ReplaceAll(strings.Trim(strings.TrimSpace(line), "|"), `\|`, "\x00")
	var cells []string
	for _, c := range strings.Split(line, "|") {
		cells = append(cells, strings.ReplaceAll(strings.TrimSpace(c), "\x00", "|"))
	}
	return cells
}

// alignTable writes rows of cells in aligned columns, two spaces apart
// (the last column not padded); a table too wide for a terminal is
// written a row at a time instead, its first cell then the others
// indented under it.
func alignTable(rows [][]string) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	total := 0
	for _, w := range widths {
		total += w + 2
	}
	var out []string
	if total > maxHelpWidth {
		for _, r := range rows[min(1, len(rows)):] { // the header row goes
			out = append(out, r[0])
			for _, c := range r[1:] {
				out = append(out, "    "+c)
			}
		}
		return out
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))+2))
			}
		}
		out = append(out, strings.TrimRight(b.String(), " "))
	}
	return out
}
