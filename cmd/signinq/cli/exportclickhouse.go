package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/dustin/go-humanize"

	"github.com/signinq/signinq/clickhouse"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/internal/words"
)

// clickhouseExport are export's flags for ClickHouse.
type clickhouseExport struct {
	Cluster string `placeholder:"NAME" help:"With --to clickhouse://…: a cluster of the server's remote_servers; the table is created on each of its shards, and the sign-ins go to a Distributed table over them."`
}

func exportClickHouse(e *env, c *exportCmd) error {
	conn, u, err := dialClickHouse(e, c.To)
	if err != nil {
		return err
	}
	defer conn.Close()
	var db *engine.DB
	if len(c.Files) > 0 {
		// The files as ingest reads them (formats told by content,
		// duplicates once), through a temporary store.
		dir, err := os.MkdirTemp("", "signinq-export-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		ro, err := readOptions("", "", nil, 0)
		if err != nil {
			return err
		}
		ro.Stdin = e.stdin
		if db, err = engine.Open(dir, &engine.Options{Clock: e.now}); err != nil {
			return err
		}
		defer db.Close()
		st, err := db.Ingest(e.ctx, c.Files, engine.IngestOptions{Read: ro})
		if err != nil {
			return err
		}
		if st.Rejected > 0 && !c.Quiet {
			fmt.Fprintf(e.stderr, "signinq: %s records rejected (signinq ingest --rejects FILE says which and why)\n", humanize.Comma(st.Rejected))
		}
	} else {
		if db, err = c.openExisting(e); err != nil {
			return err
		}
		defer db.Close()
	}
	total, _ := db.Count()
	start := e.now()
	st, err := clickhouse.Export(e.ctx, conn, clickhouse.StoreRecords(e.ctx, db), clickhouse.Options{
		Database: u.database, Cluster: c.Cluster, Auth: u.auth, TLS: u.tls,
		Progress: func(read, added int64) {
			if !c.Quiet {
				fmt.Fprintf(e.stderr, "\rsigninq: exporting: %s of %s read, %s added", humanize.Comma(read), humanize.Comma(total), humanize.Comma(added))
			}
		},
	})
	if !c.Quiet && st.Read > 0 {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		if st.Added > 0 {
			fmt.Fprintf(e.stderr, "signinq: %s sign-ins were added before the error; running the same export again adds the rest\n", humanize.Comma(st.Added))
		}
		return err
	}
	if !c.Quiet {
		table := u.database + "." + clickhouse.Table
		fmt.Fprintf(e.stderr, "signinq: added %s new %s to %s at %s, skipped %s already there, in %s\n",
			humanize.Comma(st.Added), words.Plural(st.Added, "sign-in"), table, u.addr,
			humanize.Comma(st.Read-st.Added), words.Round(e.now().Sub(start)))
	}
	return nil
}

// errNoOn is query --on's error for another URL than ClickHouse's.
var errNoOn = errors.New("query --on takes clickhouse://HOST:PORT/DATABASE")
