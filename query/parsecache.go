package query

import (
	"sync"

	"github.com/signinq/signinq/query/ast"
)

// parsed caches the statements Exec and Prepare parse, by their text:
// the dashboards and scripts that ask the same questions again and
// again, and the benchmarks, parse each once. A statement is never
// changed once parsed (expanding and checking make new trees), so the
// cache hands the same one to every caller. It holds parseCacheSize
// statements at most, and starts again empty when full.
var parsed = struct {
	sync.Mutex
	m map[string]*ast.Statement
}{m: map[string]*ast.Statement{}}

// parseCacheSize is the most statements parsed keeps.
const parseCacheSize = 256

// parseCached is Parse through the cache: a query's statement (not a
// define or undefine, which change what saved queries mean) is kept.
func parseCached(text string) (*ast.Statement, error) {
	parsed.Lock()
	st, ok := parsed.m[text]
	parsed.Unlock()
	if ok {
		return st, nil
	}
	st, err := Parse(text)
	if err != nil || st.Define != nil || st.Undefine != nil {
		return st, err
	}
	parsed.Lock()
	if len(parsed.m) >= parseCacheSize {
		clear(parsed.m)
	}
	parsed.m[text] = st
	parsed.Unlock()
	return st, nil
}
