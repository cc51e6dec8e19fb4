package logfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Paths expands command-line paths into inputs: a file is itself
// (whatever it is: a named pipe given by name is read), "-" is stdin, and
// a directory is every regular file below it in lexical order, skipping
// names that begin with a dot. Symbolic links in a directory are
// followed, to files and to directories, once the directories named are
// read without them, so that what a link leads to inside them is read
// under its own path; a file or a directory reached twice (by links, or
// a loop of links) is read once. What a directory
// holds and is not read (a named pipe, a socket, a device, a link that
// leads nowhere, a file or directory read already) is an input that the
// reader reports as a [Warning] in its turn, saying why, and does not
// open. Paths that cannot be read are returned as refusals, so that
// reading goes on with the rest.
func Paths(paths []string, stdin io.Reader) ([]Input, []*Reject) {
	x := expander{seen: newSeenFiles()}
	for _, p := range paths {
		if p == "-" {
			if stdin == nil {
				stdin = os.Stdin
			}
			x.ins = append(x.ins, ReaderInput("<stdin>", stdin))
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			x.refused = append(x.refused, refuse(p, pathError(err)))
			continue
		}
		if !st.IsDir() {
			x.seen.add(p, st)
			x.ins = append(x.ins, FileInput(p))
			continue
		}
		if first, dup := x.seen.add(p, st); dup {
			x.skip(p, fmt.Sprintf("skipped: the directory %s, which is read already", first))
			continue
		}
		x.dir(p)
	}
	for len(x.links) > 0 {
		p := x.links[0]
		x.links = x.links[1:]
		x.link(p)
	}
	return x.ins, x.refused
}

// expander gathers what Paths finds.
type expander struct {
	ins     []Input
	refused []*Reject
	seen    *seenFiles
	links   []string // symbolic links found in directories, to follow
}

func (x *expander) skip(path, why string) {
	x.ins = append(x.ins, Input{Name: path, skipped: why})
}

// dir adds what the directory dir holds, in lexical order.
func (x *expander) dir(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		x.refused = append(x.refused, refuse(dir, pathError(err)))
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		fi, err := e.Info()
		if err != nil {
			x.refused = append(x.refused, refuse(p, pathError(err)))
			continue
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			x.links = append(x.links, p)
			continue
		}
		x.add(p, fi)
	}
}

// link follows the symbolic link at p.
func (x *expander) link(p string) {
	fi, err := os.Stat(p)
	if err != nil {
		target, _ := os.Readlink(p)
		x.skip(p, fmt.Sprintf("skipped: a symbolic link to %s, which cannot be followed: %s", target, pathError(err)))
		return
	}
	x.add(p, fi)
}

// add adds what a directory holds at p: fi describes it (or what the
// link at p leads to).
func (x *expander) add(p string, fi fs.FileInfo) {
	switch {
	case fi.IsDir():
		if first, dup := x.seen.add(p, fi); dup {
			x.skip(p, fmt.Sprintf("skipped: the directory %s, which is read already (a link to it, or a loop of links)", first))
			return
		}
		x.dir(p)
	case fi.Mode().IsRegular():
		if first, dup := x.seen.add(p, fi); dup {
			x.skip(p, fmt.Sprintf("skipped: the same file as %s, which is read already (a link to it)", first))
			return
		}
		x.ins = append(x.ins, FileInput(p))
	default:
		x.skip(p, fmt.Sprintf("skipped: %s, which is not read in a directory (it could wait for ever, or never end); name it on the command line to read it", fileKind(fi.Mode())))
	}
}

// fileKind names a kind of file that is neither regular nor a directory.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// seenFiles remembers the files and directories Paths has reached, by
// identity (device and inode where the system has them), so that links
// and loops of links do not make it read one twice.
type seenFiles struct {
	keys  map[fileKey]string
	other []seenFile // where the system has no file identity: os.SameFile
}

type seenFile struct {
	fi   fs.FileInfo
	path string
}

func newSeenFiles() *seenFiles { return &seenFiles{keys: map[fileKey]string{}} }

// add notes the file at path, and reports whether it was reached before
// and by which path.
func (s *seenFiles) add(path string, fi fs.FileInfo) (first string, dup bool) {
	if k, ok := keyOf(fi); ok {
		if p, ok := s.keys[k]; ok {
			return p, true
		}
		s.keys[k] = path
		return "", false
	}
	for _, f := range s.other {
		if os.SameFile(f.fi, fi) {
			return f.path, true
		}
	}
	s.other = append(s.other, seenFile{fi, path})
	return "", false
}

// InputSize is the size in bytes of the named files and directories, as
// Summary.Bytes counts them when they are read, or -1 when it cannot be
// known beforehand (standard input, compressed files, what is not a
// regular file): a progress bar's total.
func InputSize(paths []string) int64 {
	for _, p := range paths {
		if p == "-" {
			return -1
		}
	}
	ins, refused := Paths(paths, nil)
	if len(refused) > 0 {
		return -1
	}
	total := int64(0)
	for _, in := range ins {
		if in.skipped != "" {
			continue
		}
		if strings.HasSuffix(in.Name, ".gz") {
			return -1
		}
		fi, err := os.Stat(in.Name)
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		total += fi.Size()
	}
	return total
}

// ErrOutputIsInput is what CheckOutput's errors wrap.
var ErrOutputIsInput = errors.New("the output is one of the inputs")

// CheckOutput returns an error, wrapping ErrOutputIsInput, when writing
// the file out would destroy or feed one of inputs (paths as Paths takes
// them, or a store's directory): when out is one of them, by any name (a
// symbolic or hard link to it), or lies inside one that is a directory,
// which is read recursively (the output would be read as input, or
// overwrite a store's file). Creating the output empties it before a
// word of the input is read, so a program calls CheckOutput before it
// opens anything for writing. An input that does not exist yet (a store
// about to be made) is compared by its path. "" and "-" (standard
// output) are not files and pass.
func CheckOutput(out string, inputs []string) error {
	if out == "" || out == "-" {
		return nil
	}
	ofi, oerr := os.Stat(out)
	// The directories out lies in, from its own up, by their identity.
	target := resolvePath(out)
	var above []fs.FileInfo
	for d := filepath.Dir(target); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil {
			above = append(above, fi)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		ifi, err := os.Stat(in)
		if err != nil {
			if dir := resolvePath(in); strings.HasPrefix(target, dir+string(filepath.Separator)) || target == dir {
				return fmt.Errorf("%w: %s would be in %s, an input that does not exist yet (a store to be made); name a file outside it", ErrOutputIsInput, out, in)
			}
			continue
		}
		if oerr == nil && os.SameFile(ofi, ifi) {
			if ifi.IsDir() {
				return fmt.Errorf("%w: %s is the input directory %s; name a file outside it", ErrOutputIsInput, out, in)
			}
			return fmt.Errorf("%w: %s is the input %s, which writing it would empty before it is read; name another file", ErrOutputIsInput, out, in)
		}
		if !ifi.IsDir() {
			continue
		}
		for _, d := range above {
			if os.SameFile(d, ifi) {
				return fmt.Errorf("%w: %s is inside the input directory %s, which is read whole (it would be read as input, or overwrite what is there); name a file outside it", ErrOutputIsInput, out, in)
			}
		}
	}
	return nil
}

// resolvePath returns p absolute, with its symbolic links resolved as far
// as it exists.
func resolvePath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	rest := ""
	for d := abs; ; d = filepath.Dir(d) {
		if r, err := filepath.EvalSymlinks(d); err == nil {
			return filepath.Join(r, rest)
		}
		if filepath.Dir(d) == d {
			return abs
		}
		rest = filepath.Join(filepath.Base(d), rest)
	}
}
