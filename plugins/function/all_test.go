package function

import (
	"flag"
	"testing"

	"github.com/signinq/signinq/internal/listgen"
)

var update = flag.Bool("update", false, "rewrite all.go")

// TestAll checks that all.go lists the package's functions as its files
// declare them (each type with a Describe method: see internal/listgen);
// with -update, it rewrites all.go.
func TestAll(t *testing.T) {
	listgen.Check(t, ".", listgen.List{Package: "function", Elem: "plugins.Plugin", What: "functions"}, *update,
		"go test ./plugins/function -run TestAll -update (go generate ./plugins/standard rewrites docs/plugins.md too)")
}
