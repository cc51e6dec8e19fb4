package repl

import (
	"fmt"
	"io"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/internal/progress"
)

// ingestProgress shows \ingest's progress: a bar with the bytes read,
// the rate and the time left on a terminal; plain lines otherwise (as
// the command's ingest does). It counts the records read and, of their
// sign-ins, those committed (in the store whatever happens next) and the
// duplicates skipped.
type ingestProgress struct{ bar *progress.Bar }

func newIngestProgress(w io.Writer, paths []string, terminal bool) *ingestProgress {
	return &ingestProgress{bar: progress.New(w, progress.Options{
		Total:    logfile.InputSize(paths),
		Unit:     progress.Bytes,
		What:     "ingesting",
		Terminal: terminal,
	})}
}

func (p *ingestProgress) update(st engine.IngestStats) {
	p.bar.Describe(fmt.Sprintf("%s read, %s committed, %s duplicates", humanize.Comma(st.Read), humanize.Comma(st.Stored), humanize.Comma(st.Duplicates)))
	p.bar.Set(st.Bytes)
}

func (p *ingestProgress) done() { p.bar.Done() }
