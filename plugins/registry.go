package plugins

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/signinq/signinq/query/ast"
)

// Kind is the kind of a plugin.
type Kind uint8

// The kinds of plugin.
const (
	// KindAggregate computes one value per group of sign-ins, in query
	// heads and after top's "by" (count, dcount(user)).
	KindAggregate Kind = iota + 1
	// KindStage transforms rows after "|": the sign-ins of list, or the
	// rows of an aggregate query.
	KindStage
	// KindFunction computes a value from values, in filters, group by
	// and list fields (hour(time)).
	KindFunction
	// KindWriter writes results in an output format: table, json, csv.
	KindWriter
	// KindReader reads an input format: diag, graph, la-csv.
	KindReader
)

var kindNames = [...]string{KindAggregate: "aggregate", KindStage: "stage", KindFunction: "function", KindWriter: "writer", KindReader: "reader"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ArgType is the type of a plugin's argument. A stage's arguments are
// bound by their types (BindArgs): each is read once, as the query
// language reads a value of its type, and the stage gets the values
// (Args), never the text to parse.
type ArgType uint8

// The types of argument. Aggregates take fields and conditions, and
// functions fields, numbers, durations and strings; the others are for
// stages.
const (
	ArgField     ArgType = iota + 1 // a catalog field: user, time; a stage's may name a column
	ArgCondition                    // a condition on sign-ins: status=failure
	ArgNumber                       // a finite number: 10, 0.5
	ArgDuration                     // a duration as the language writes it: 1h, 7d (query/ast.ParseDuration)
	ArgString                       // a word or a quoted string
	ArgInt                          // a whole number: 5, -1
	ArgBool                         // true or false (yes, no, on, off, 1, 0)
	ArgCodes                        // sign-in error codes, separated by commas or spaces: "50126, 50053"
)

var argTypeNames = [...]string{ArgField: "field", ArgCondition: "condition", ArgNumber: "number", ArgDuration: "duration",
	ArgString: "string", ArgInt: "whole number", ArgBool: "bool", ArgCodes: "error codes"}

func (t ArgType) String() string {
	if int(t) < len(argTypeNames) && argTypeNames[t] != "" {
		return argTypeNames[t]
	}
	return fmt.Sprintf("argtype(%d)", t)
}

// Arg describes one argument of a plugin.
type Arg struct {
	Name string
	Type ArgType
	// Default is the value an omitted argument takes, as it would be
	// written; "" makes the argument required.
	Default string
	// Min and Max bound the value of a stage's number (ArgNumber,
	// ArgInt) or duration, written as a query would write them ("1",
	// "0.5", "1h"); "" for no bound. A duration without a Min must be
	// positive: Min "0s" lets it be 0.
	Min, Max string
	// Words are words a stage's argument takes in place of a value of
	// its type, matched without regard to case: "auto" for a duration
	// inferred, "h1" for Graph's window. Args.Word says which was given.
	// An ArgString with Words takes only them.
	Words []string
	Help  string
}

// Descriptor says what a plugin is and how to call it: what the parser
// checks a call against, and what help and completion show.
type Descriptor struct {
	Name    string // as queries write it; matched without regard to case
	Kind    Kind
	Args    []Arg
	Help    string // one line
	Example string // a query using it
	// Output names the columns a stage emits (with its default
	// arguments), for help; aggregates and functions give one value.
	Output []string
	// Streams says a stage emits rows as it reads them, so that it
	// never holds every row (tag does; grouped and spray do not).
	Streams bool
}

// Usage returns how to call the plugin: name(arg, arg) for aggregates
// and functions, name arg arg for stages, optional arguments in brackets.
func (d *Descriptor) Usage() string {
	var b strings.Builder
	b.WriteString(d.Name)
	open, sep, end := "(", ", ", ")"
	if d.Kind == KindStage {
		open, sep, end = " ", " ", ""
	}
	if len(d.Args) == 0 {
		return b.String()
	}
	b.WriteString(open)
	for i, a := range d.Args {
		if i > 0 {
			b.WriteString(sep)
		}
		if a.Default != "" {
			fmt.Fprintf(&b, "[%s]", a.Name)
		} else {
			b.WriteString(a.Name)
		}
	}
	b.WriteString(end)
	return b.String()
}

// Plugin is anything that extends the query language. Each kind has its
// own interface on top of this one (Aggregate, Stage, Function).
type Plugin interface {
	Describe() Descriptor
}

// Registry holds plugins by name. Its methods are safe for concurrent
// use. The query language learns every name and argument list from the
// registry it is given, so a program can extend or restrict the language
// with a registry of its own.
type Registry struct {
	mu      sync.RWMutex
	plugins map[string]Plugin // by lower-case name
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{plugins: map[string]Plugin{}} }

// Register adds a plugin. It refuses a plugin without a name, of an
// unknown kind, whose kind's interface it does not implement, whose name
// (in any case) is taken, or a stage whose arguments' bounds (Arg.Min,
// Arg.Max) or defaults do not read as their types.
func (r *Registry) Register(p Plugin) error {
	d := p.Describe()
	if d.Name == "" || strings.ContainsAny(d.Name, " \t()|,") {
		return fmt.Errorf("plugins: bad plugin name %q", d.Name)
	}
	var ok bool
	switch d.Kind {
	case KindAggregate:
		_, ok = p.(Aggregate)
	case KindStage:
		_, ok = p.(Stage)
	case KindFunction:
		_, ok = p.(Function)
	case KindWriter:
		_, ok = p.(Writer)
	case KindReader:
		_, ok = p.(Reader)
	default:
		return fmt.Errorf("plugins: %s: unknown kind %v", d.Name, d.Kind)
	}
	if !ok {
		return fmt.Errorf("plugins: %s is registered as a %v but does not implement its interface", d.Name, d.Kind)
	}
	if d.Kind == KindStage && (ast.IsKeyword(d.Name) || ast.IsOperatorWord(d.Name)) {
		// After a |, where, order by, limit and join are the language's.
		return fmt.Errorf("plugins: a stage cannot be named %s, a word of the language after |", d.Name)
	}
	if d.Kind == KindStage {
		if err := checkArgs(d); err != nil {
			return fmt.Errorf("plugins: %s: %w", d.Name, err)
		}
	}
	key := strings.ToLower(d.Name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.plugins[key]; dup {
		return fmt.Errorf("plugins: %q is registered twice", d.Name)
	}
	r.plugins[key] = p
	return nil
}

// Lookup returns the plugin of a name, matched without regard to case.
func (r *Registry) Lookup(name string) (Plugin, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.plugins[strings.ToLower(name)]
	return p, ok
}

// All returns the plugins of a kind (0 for every kind), by name.
func (r *Registry) All(kind Kind) []Plugin {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Plugin
	for _, p := range r.plugins {
		if kind == 0 || p.Describe().Kind == kind {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Plugin) int { return strings.Compare(a.Describe().Name, b.Describe().Name) })
	return out
}

// Names returns the names of the plugins of a kind (0 for every kind),
// sorted: what did-you-mean and completion offer.
func (r *Registry) Names(kind Kind) []string {
	var out []string
	for _, p := range r.All(kind) {
		out = append(out, p.Describe().Name)
	}
	return out
}

// Clone returns a registry holding the same plugins, to add to or take
// from without changing r.
func (r *Registry) Clone() *Registry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := NewRegistry()
	for k, p := range r.plugins {
		c.plugins[k] = p
	}
	return c
}

// Remove takes a plugin out of the registry.
func (r *Registry) Remove(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.plugins, strings.ToLower(name))
}
