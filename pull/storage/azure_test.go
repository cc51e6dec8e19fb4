package storage

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/appendblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/signinq/signinq/engine"
	"github.com/signinq/signinq/engine/logfile"
	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/internal/azurite"
	"github.com/signinq/signinq/internal/gen"
)

// account is an Azurite account with a client trusting its certificate.
type account struct {
	t      *testing.T
	server *azurite.Server
	client *azblob.Client
}

func newAccount(t *testing.T) *account {
	t.Helper()
	s := azurite.Start(t)
	o := &azblob.ClientOptions{}
	o.Transport = s.HTTPClient
	c, err := azblob.NewClientFromConnectionString(s.ConnectionString, o)
	if err != nil {
		t.Fatal(err)
	}
	return &account{t: t, server: s, client: c}
}

// appendTo appends data to an append blob, creating it (and its
// container) when it is not there.
func (a *account) appendTo(container, name string, data []byte) {
	a.t.Helper()
	ctx := context.Background()
	if _, err := a.client.CreateContainer(ctx, container, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		a.t.Fatal(err)
	}
	ab := a.client.ServiceClient().NewContainerClient(container).NewAppendBlobClient(name)
	if _, err := ab.GetProperties(ctx, nil); bloberror.HasCode(err, bloberror.BlobNotFound) {
		if _, err := ab.Create(ctx, nil); err != nil {
			a.t.Fatal(err)
		}
	} else if err != nil {
		a.t.Fatal(err)
	}
	const block = 4 << 20
	for len(data) > 0 {
		n := min(len(data), block)
		if _, err := ab.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader(data[:n])), &appendblob.AppendBlockOptions{}); err != nil {
			a.t.Fatal(err)
		}
		data = data[n:]
	}
}

// remove deletes a blob.
func (a *account) remove(container, name string) {
	a.t.Helper()
	if _, err := a.client.DeleteBlob(context.Background(), container, name, nil); err != nil {
		a.t.Fatal(err)
	}
}

// containerOf is the container diagnostic settings archive a type to.
var containerOf = map[signin.Type]string{
	signin.TypeInteractive:      "insights-logs-signinlogs",
	signin.TypeNonInteractive:   "insights-logs-noninteractiveusersigninlogs",
	signin.TypeServicePrincipal: "insights-logs-serviceprincipalsigninlogs",
	signin.TypeManagedIdentity:  "insights-logs-managedidentitysigninlogs",
}

// hourly is generated sign-ins as diag lines, by container and blob.
type hourly map[string]map[string][][]byte

// blobs lists the (container, blob) pairs in order.
func (h hourly) blobs() [][2]string {
	var out [][2]string
	for _, c := range slices.Sorted(maps.Keys(h)) {
		for _, b := range slices.Sorted(maps.Keys(h[c])) {
			out = append(out, [2]string{c, b})
		}
	}
	return out
}

// largest lists the (container, blob) pairs, the blobs with most lines
// first.
func (h hourly) largest() [][2]string {
	out := h.blobs()
	slices.SortStableFunc(out, func(a, b [2]string) int { return len(h[b[0]][b[1]]) - len(h[a[0]][a[1]]) })
	return out
}

// blobName is the path diagnostic settings give the blob of an hour.
func blobName(tenant string, hour time.Time) string {
	return fmt.Sprintf("tenantId=%s/y=%04d/m=%02d/d=%02d/h=%02d/m=00/PT1H.json", tenant, hour.Year(), hour.Month(), hour.Day(), hour.Hour())
}

// testEnd is the end of the generated window: a fixed date, not the clock.
var testEnd = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// generate makes n sign-ins of a day (seed logged), as diag lines
// grouped as diagnostic settings archive them: by type into containers,
// by hour into blobs.
func generate(t *testing.T, n int64, seed uint64) hourly {
	t.Helper()
	t.Logf("generated sign-ins: %d, seed %d", n, seed)
	g, err := gen.New(gen.Config{Count: n, Seed: seed, Days: 1, End: testEnd, NoIncidents: true, Users: 200})
	if err != nil {
		t.Fatal(err)
	}
	out := hourly{}
	err = g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			ev := &batch[i]
			c := containerOf[ev.Record.Type]
			if out[c] == nil {
				out[c] = map[string][][]byte{}
			}
			name := blobName(g.TenantID(), ev.Record.Time.Truncate(time.Hour))
			out[c][name] = append(out[c][name], append(gen.AppendDiag(nil, ev), '\n'))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// newestGenerated is the time of the newest of the sign-ins generate
// makes.
func newestGenerated(t *testing.T, n int64, seed uint64) time.Time {
	t.Helper()
	g, err := gen.New(gen.Config{Count: n, Seed: seed, Days: 1, End: testEnd, NoIncidents: true, Users: 200})
	if err != nil {
		t.Fatal(err)
	}
	var newest time.Time
	err = g.Generate(context.Background(), func(batch []gen.Event) error {
		for i := range batch {
			if batch[i].Record.Time.After(newest) {
				newest = batch[i].Record.Time
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return newest
}

// openStore opens a new store in a temporary directory.
func openStore(t *testing.T) *engine.DB {
	t.Helper()
	db, err := engine.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *engine.DB) int64 {
	t.Helper()
	n, err := db.Count()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// pulled runs a pull, collecting warnings and rejects; a nil want error
// means none.
type pulled struct {
	st       Stats
	err      error
	warnings []*logfile.Warning
	rejects  []*logfile.Reject
}

func pull(t *testing.T, ctx context.Context, db *engine.DB, a *account, opts Options) pulled {
	t.Helper()
	var p pulled
	opts.Client = a.client
	opts.OnWarning = func(w *logfile.Warning) { p.warnings = append(p.warnings, w) }
	opts.OnReject = func(r *logfile.Reject) { p.rejects = append(p.rejects, r) }
	p.st, p.err = Pull(ctx, db, opts)
	for _, w := range p.warnings {
		t.Logf("warning: %v", w)
	}
	for _, r := range p.rejects {
		t.Logf("reject: %v", r)
	}
	return p
}

func (p pulled) ok(t *testing.T) Stats {
	t.Helper()
	if p.err != nil {
		t.Fatalf("pull: %v", p.err)
	}
	return p.st
}
