package format

import (
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/plugins"
)

// builtinReader is the Reader of a format the logfile package reads
// with its own fast paths.
type builtinReader struct{ f logfile.Format }

var _ plugins.Reader = builtinReader{}

func (r builtinReader) Describe() plugins.Descriptor {
	return plugins.Descriptor{Name: r.f.Name, Kind: plugins.KindReader, Help: r.f.Help,
		Example: "signinq parse --format " + r.f.Name + " FILE"}
}

func (r builtinReader) Format() logfile.Format { return r.f }
