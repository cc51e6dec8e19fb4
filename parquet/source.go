package parquet

import (
	"context"

	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/signin"
)

// sourceBatch is the most sign-ins FromStore gives at once.
const sourceBatch = 4096

// FromStore is the source of a store's sign-ins: those of a snapshot
// taken when it is called, day by day, in the store's order (by time
// within a part), in batches of a few thousand. The store's cache of
// decoded blocks is of no use to it (it reads each block once): open the
// store with engine.Options.BlockCache -1 to spare the memory.
func FromStore(db *engine.DB) Source {
	return func(ctx context.Context, add func([]signin.Record) error) error {
		snap, err := db.Snapshot()
		if err != nil {
			return err
		}
		defer snap.Close()
		var batch []signin.Record
		for _, p := range snap.Parts() {
			for b := range p.Blocks {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := snap.Records(p, b, func(_ uint32, r *signin.Record) error {
					batch = append(batch, *r)
					if len(batch) < sourceBatch {
						return nil
					}
					err := add(batch)
					batch = batch[:0]
					return err
				}); err != nil {
					return err
				}
			}
		}
		if len(batch) > 0 {
			return add(batch)
		}
		return nil
	}
}

// FromRecords is the source of recs, in batches of at most n (0: one
// batch).
func FromRecords(recs []signin.Record, n int) Source {
	return func(ctx context.Context, add func([]signin.Record) error) error {
		if n <= 0 {
			n = max(len(recs), 1)
		}
		for i := 0; i < len(recs); i += n {
			if err := add(recs[i:min(i+n, len(recs))]); err != nil {
				return err
			}
		}
		return nil
	}
}
