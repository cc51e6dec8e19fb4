package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/signinq/signinq/engine/logfile"
)

// checkOutputs refuses, before anything is opened for writing, a file a
// command would write that is one of its inputs or lies in an input
// directory (logfile.CheckOutput): outs maps the flags to the paths they
// name. Standard output, when the shell sent it to a file, is checked
// too: the shell has created it already, but reading it as input would
// feed the command its own output for ever.
func checkOutputs(e *env, inputs []string, outs ...flagPath) error {
	for _, o := range outs {
		if err := logfile.CheckOutput(o.path, inputs); err != nil {
			return fmt.Errorf("%s: %w", o.flag, err)
		}
	}
	f, ok := e.stdout.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	name := f.Name()
	if p, err := filepath.EvalSymlinks(name); err == nil {
		name = p // /dev/stdout is the file the shell opened
	}
	if err := logfile.CheckOutput(name, inputs); err != nil {
		return fmt.Errorf("standard output: %w", err)
	}
	return nil
}

// flagPath is a file a flag names.
type flagPath struct{ flag, path string }
