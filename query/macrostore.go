package query

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/plugins"
	"github.com/signinq/signinq/plugins/standard"
	"github.com/signinq/signinq/query/ast"
)

// A store keeps its saved queries in its metadata (engine.DB.UpdateMeta),
// in the space MacroSpace: under each one's name in lower case, its
// definition's text ("define failures(D) = count where status=failure
// since D"). A define or undefine is one transaction, synced to disk, so
// a crash leaves the saved queries as they were or as the statement left
// them; defines run one at a time, each checked against the saved
// queries the one before left. A query reads them from the snapshot it
// runs on: nothing is kept between queries.

// MacroSpace is the space of a store's metadata that holds its saved
// queries.
const MacroSpace = "queries"

// MacroFile is the name of the file in a store's directory in which
// signinq kept the store's saved queries before it kept them in the
// store: one definition a line, or for one whose text holds a line break
// (or is not UTF-8) its text quoted as Go quotes strings; blank lines and
// lines starting with # are skipped.
//
// The first statement a writable store runs (or the first listing of its
// saved queries, MacrosOf) imports the file: the definitions of names the
// store does not hold are added to it, in one transaction, as they are
// (one that cannot be read stays so, and using its name says why), and
// the file is renamed MacroFile+".imported", where lines that define no
// name are kept. A read-only store reads the file, beneath its own saved
// queries, without importing it.
const MacroFile = "queries"

// MacrosOf returns the saved queries of a store (see MacroFile for the
// first time a store with a file of them is used), a set of the caller's.
func MacrosOf(db *engine.DB, reg *plugins.Registry) (*Macros, error) {
	if err := importFile(db); err != nil {
		return nil, err
	}
	var ms *Macros
	err := db.View(func(s *engine.Snapshot) error {
		var err error
		ms, err = macrosIn(db, s, reg)
		return err
	})
	return ms, err
}

// macrosIn returns the saved queries a snapshot of db holds.
func macrosIn(db *engine.DB, s *engine.Snapshot, reg *plugins.Registry) (*Macros, error) {
	defs, err := s.AllMeta(MacroSpace)
	if err != nil {
		return nil, err
	}
	ms := macrosOf(defs, reg)
	if db.Dir() != "" && db.ReadOnly() != nil {
		file, err := readMacroFile(filepath.Join(db.Dir(), MacroFile))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		for k, text := range file {
			if _, ok := ms.texts[k]; !ok {
				ms.texts[k] = text
			}
		}
	}
	return ms, nil
}

// DefineIn runs a define or undefine statement against a store's saved
// queries: define checks the query (see Macros.Define) and saves it,
// undefine removes one. The store is changed only when the statement is
// right.
func DefineIn(db *engine.DB, reg *plugins.Registry, text string) (Saved, error) {
	st, err := Parse(text)
	if err != nil {
		return Saved{}, err
	}
	if st.Define == nil && st.Undefine == nil {
		return Saved{}, errorf(ast.Pos{Line: 1, Col: 1}, "define NAME = QUERY saves a query, undefine NAME removes one")
	}
	return defineIn(db, reg, st)
}

// defineIn runs a parsed define or undefine statement.
func defineIn(db *engine.DB, reg *plugins.Registry, st *ast.Statement) (Saved, error) {
	if reg == nil {
		reg = standard.Registry()
	}
	if err := importFile(db); err != nil {
		return Saved{}, err
	}
	var saved Saved
	err := db.UpdateMeta(MacroSpace, func(defs map[string][]byte) (map[string][]byte, error) {
		ms := macrosOf(defs, reg)
		var err error
		if st.Undefine != nil {
			saved.Removed = true
			saved.Macro, err = ms.undefine(st.Undefine)
		} else {
			saved.Macro, err = ms.define(st.Define, reg)
		}
		if err != nil {
			return nil, err
		}
		var v []byte
		if !saved.Removed {
			v = []byte(saved.Macro.String())
		}
		return map[string][]byte{strings.ToLower(saved.Macro.Name): v}, nil
	})
	if err != nil {
		return Saved{}, err
	}
	return saved, nil
}

// importFile imports a writable store's file of saved queries, if it has
// one (MacroFile).
func importFile(db *engine.DB) error {
	if db.Dir() == "" || db.ReadOnly() != nil {
		return nil
	}
	path := filepath.Join(db.Dir(), MacroFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil // the usual case, which a stat tells soonest
	}
	file, err := readMacroFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // none, or another statement imported it
	}
	if err != nil {
		return err
	}
	err = db.UpdateMeta(MacroSpace, func(defs map[string][]byte) (map[string][]byte, error) {
		add := map[string][]byte{}
		for k, text := range file {
			if _, ok := defs[k]; !ok {
				add[k] = []byte(text)
			}
		}
		return add, nil
	})
	if err != nil {
		return err
	}
	if err := os.Rename(path, path+".imported"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// readMacroFile reads a file of saved queries (MacroFile): the
// definitions of the lines that define a name, by its lower-case name (a
// later line replacing an earlier one), each as it is in the file, or
// unquoted. They are not read further: the store reads them when they
// are used.
func readMacroFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defs := map[string]string{}
	for _, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text := line
		if strings.HasPrefix(line, `"`) {
			if text, err = strconv.Unquote(line); err != nil {
				continue // no name to keep it under: it stays in the file
			}
		}
		if name := definedName(text); name != "" {
			defs[strings.ToLower(name)] = text
		}
	}
	return defs, nil
}
