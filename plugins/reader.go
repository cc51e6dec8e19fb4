package plugins

import (
	"fmt"
	"strings"

	"github.com/signinq/signinq/engine/logfile"
)

// Reader reads an input format: it gives the logfile reader a
// [logfile.Format] to sniff inputs with and decode them by. The commands
// that read logs (parse, ingest) pick one by name with --format, and
// hand the registry's readers that are not built in to the reader as
// extra formats (see [ExtraFormats]).
//
// Format's Name must be the plugin's name, which --format looks up.
// The Format is used from several goroutines at once: its Sniff and
// Decode must be safe for concurrent use (see logfile.Format). Readers
// added from outside are line-oriented, and are sniffed before the
// built-in ones.
type Reader interface {
	Plugin
	Format() logfile.Format
}

// builtinReader is the Reader of a format the logfile package reads
// with its own fast paths.
type builtinReader struct{ f logfile.Format }

var _ Reader = builtinReader{}

// newBuiltinReader returns the Reader of the built-in format of a name.
// It panics if logfile has no such format: a programming error, found
// the first time the program runs.
func newBuiltinReader(name string) builtinReader {
	for _, f := range logfile.Formats() {
		if f.Name == name {
			return builtinReader{f}
		}
	}
	panic("plugins: logfile has no built-in input format " + name)
}

func (r builtinReader) Describe() Descriptor {
	return Descriptor{Name: r.f.Name, Kind: KindReader, Help: r.f.Help,
		Example: "signinq parse --format " + r.f.Name + " FILE"}
}

func (r builtinReader) Format() logfile.Format { return r.f }

// LookupReader returns the reader of a name, matched without regard to
// case. Its error names the registry's readers.
func LookupReader(r *Registry, name string) (Reader, error) {
	if p, ok := r.Lookup(name); ok {
		if rd, ok := p.(Reader); ok && p.Describe().Kind == KindReader {
			return rd, nil
		}
	}
	return nil, fmt.Errorf("unknown input format %q; the formats are %s", name, strings.Join(r.Names(KindReader), ", "))
}

// ExtraFormats returns the formats of the registry's readers that are
// not built into logfile, by name: what logfile.Options.Formats takes
// so that a scan sniffs them too.
func ExtraFormats(r *Registry) []logfile.Format {
	var out []logfile.Format
	for _, p := range r.All(KindReader) {
		if f := p.(Reader).Format(); !f.Builtin() {
			out = append(out, f)
		}
	}
	return out
}
