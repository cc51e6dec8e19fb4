package api_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signinq/signinq/api"
	"github.com/signinq/signinq/plugins/standard"
)

// TestSocket serves the API on a store's socket and asks it through a
// Client: the socket is the user's alone (0600), a query's rows, notes
// and errors come back as the handler answered them, and once closed the
// socket is gone and Dial says no one answers.
func TestSocket(t *testing.T) {
	db := testStore(t)
	dir := t.TempDir()
	if _, err := api.Dial(dir); !errors.Is(err, api.ErrNoHolder) {
		t.Fatalf("Dial before serving: %v, want ErrNoHolder", err)
	}
	// A socket a killed holder left is replaced.
	if err := os.WriteFile(api.SocketPath(dir), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := api.ServeSocket(dir, api.New(db, standard.Registry(), api.SocketOptions(api.Options{Now: testNow})))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(0)
	fi, err := os.Stat(api.SocketPath(dir))
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the socket: %v, %v; want a socket of mode 0600", fi.Mode(), err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) > 0 {
		t.Errorf("left behind: %v", m)
	}
	c, err := api.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.PID() != os.Getpid() {
		t.Errorf("the holder's pid %d, want this process's %d", c.PID(), os.Getpid())
	}
	ctx := context.Background()
	a, err := c.Query(ctx, api.QueryRequest{Query: "count group by type order by type", Now: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Signins {
		t.Errorf("groups answered as sign-ins")
	}
	var total int64
	for row, err := range a.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		total += row[1].Int()
	}
	a.Close()
	if want, _ := db.Count(); total != want {
		t.Errorf("the counts by type add up to %d, want %d", total, want)
	}
	a, err = c.Query(ctx, api.QueryRequest{Query: "list user since 1d", Now: "2020-01-01", ListLimit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Signins {
		t.Errorf("a list's sign-ins answered as groups")
	}
	for _, err := range a.Rows() {
		t.Fatalf("a row, or %v, where the range holds none", err)
	}
	if n := a.Notes(); len(n) != 1 || n[0].String() == "" {
		t.Errorf("notes %v, want the nodata note", n)
	}
	_, err = c.Query(ctx, api.QueryRequest{Query: "count where staus=failure"})
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Kind != api.KindQuery || ae.Caret == "" || ae.Status() != 400 {
		t.Errorf("a query error: %#v", err)
	}
	a, err = c.Query(ctx, api.QueryRequest{Query: "explain count"})
	if err != nil || a.Plan == nil {
		t.Errorf("explain: %v, %v", a, err)
	}
	st, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	es, err := st.Engine()
	want, _ := db.Stats()
	if err != nil || es.Rows != want.Rows || len(es.Days) != len(want.Days) || es.Types != want.Types || es.PartBytes() != want.PartBytes() {
		t.Errorf("stats read back as %+v, %v; want %+v", es, err, want)
	}
	for i := range es.Days {
		if d, w := es.Days[i], want.Days[i]; !d.Day.Equal(w.Day) || d.Rows != w.Rows || d.Types != w.Types || !d.First.Equal(w.First) || !d.Last.Equal(w.Last) {
			t.Errorf("day %d read back as %+v, want %+v", i, d, w)
		}
	}
	c.Close()
	if err := s.Close(time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(api.SocketPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket after Close: %v", err)
	}
	if _, err := api.Dial(dir); !errors.Is(err, api.ErrNoHolder) {
		t.Errorf("Dial after Close: %v, want ErrNoHolder", err)
	}
}

// TestSocketOtherUser checks that a peer of another user is refused,
// whatever the socket's mode let through: the client says the store is
// held by another user's process, and no query runs.
func TestSocketOtherUser(t *testing.T) {
	db := testStore(t)
	dir := t.TempDir()
	defer api.SetOwnUID(os.Getuid() + 1)()
	s, err := api.ServeSocket(dir, api.New(db, standard.Registry(), api.SocketOptions(api.Options{Now: testNow})))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(0)
	c, err := api.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Query(context.Background(), api.QueryRequest{Query: "count"}); !errors.Is(err, api.ErrOtherUser) {
		t.Errorf("a query from another user: %v, want ErrOtherUser", err)
	}
	if _, err := c.Stats(context.Background()); !errors.Is(err, api.ErrOtherUser) {
		t.Errorf("stats from another user: %v, want ErrOtherUser", err)
	}
}
