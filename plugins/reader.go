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
