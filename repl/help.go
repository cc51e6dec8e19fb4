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
	fmt.Fprintln(s.out, `  A line ending in \ continues on the next; Tab completes; Ctrl-R searches the history; Ctrl-C cancels a query; Ctrl-D quits.`)
}

var (
	mdLink  = regexp.MustCompile(`\[([^\]]+)\]\([^)]+\)`)
	mdFence = regexp.MustCompile("(?m)^```[a-z]*\n")
)

// plain turns Markdown into text for a terminal: links become their
// text, code fences go; the rest (tables, lists, code) reads as it is.
func plain(md string) string {
	md = mdLink.ReplaceAllString(md, "$1")
	md = mdFence.ReplaceAllString(md, "")
	md = strings.ReplaceAll(md, `\|`, "|")
	return strings.TrimSpace(md)
}
