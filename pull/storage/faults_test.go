package storage

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/signinq/signinq/engine/logfile"
)

// faulty is a TLS proxy in front of Azurite that breaks the downloads of
// chosen blobs: it cuts the first download of cut halfway through its
// body, answers every download of fail with 500, and of gone with 404
// BlobNotFound.
type faulty struct {
	mu       sync.Mutex
	cut      string // a blob path (/account/container/name); "" none
	cutDone  bool
	fail     string
	gone     string // answered as a blob deleted since it was listed
	requests map[string]int
}

func (f *faulty) handler(a *account) http.Handler {
	target, _ := url.Parse(a.server.URL)
	upstream := &url.URL{Scheme: target.Scheme, Host: target.Host}
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	proxy.Transport = a.server.HTTPClient.Transport
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		download := r.Method == http.MethodGet && r.URL.Query().Get("comp") == ""
		f.mu.Lock()
		f.requests[r.URL.Path]++
		cut := download && r.URL.Path == f.cut && !f.cutDone
		if cut {
			f.cutDone = true
		}
		fail := download && r.URL.Path == f.fail
		gone := download && r.URL.Path == f.gone
		f.mu.Unlock()
		switch {
		case gone:
			w.Header().Set("x-ms-error-code", "BlobNotFound")
			http.Error(w, "The specified blob does not exist.", http.StatusNotFound)
		case fail:
			http.Error(w, "injected failure", http.StatusInternalServerError)
		case cut:
			// Half the body, then the connection dropped.
			out := r.Clone(r.Context())
			out.URL.Scheme, out.URL.Host, out.RequestURI = upstream.Scheme, upstream.Host, ""
			resp, err := a.server.HTTPClient.Transport.RoundTrip(out)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer resp.Body.Close()
			for k, v := range resp.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(resp.StatusCode)
			io.CopyN(w, resp.Body, resp.ContentLength/2)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		default:
			proxy.ServeHTTP(w, r)
		}
	})
}

// TestPullFaults: a download cut midway is resumed where it stopped, and
// the pull stores every sign-in once; a blob whose downloads fail is a
// warning naming it, the others are stored, the pull returns
// ErrIncomplete, and the next pull reads it; a blob not found when
// downloaded (deleted since it was listed) is a warning, not a failure.
func TestPullFaults(t *testing.T) {
	data := generate(t, 600, 9)
	a := newAccount(t)
	db := openStore(t)
	blobs := data.largest()
	var total int64
	for _, b := range blobs {
		a.appendTo(b[0], b[1], join(data[b[0]][b[1]]))
		total += int64(len(data[b[0]][b[1]]))
	}
	path := func(b [2]string) string { return "/" + "devstoreaccount1/" + b[0] + "/" + b[1] }
	f := &faulty{cut: path(blobs[0]), fail: path(blobs[1]), gone: path(blobs[2]), requests: map[string]int{}}
	srv := httptest.NewUnstartedServer(f.handler(a))
	srv.Config.ErrorLog = nil
	srv.StartTLS()
	defer srv.Close()
	o := &azblob.ClientOptions{}
	o.Transport = srv.Client()
	// The retry policy's backoff, made short: the test waits for no clock.
	o.Retry = policy.RetryOptions{MaxRetries: 2, RetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond}
	cs := strings.Replace(a.server.ConnectionString, strings.TrimSuffix(a.server.URL, "/devstoreaccount1"), srv.URL, 1)
	client, err := azblob.NewClientFromConnectionString(cs, o)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	st, err := Pull(context.Background(), db, Options{Client: client, OnWarning: func(w *logfile.Warning) { warnings = append(warnings, w.Error()) }})
	failed := int64(len(data[blobs[1][0]][blobs[1][1]]))
	gone := int64(len(data[blobs[2][0]][blobs[2][1]]))
	if !errors.Is(err, ErrIncomplete) || st.BlobsFailed != 1 || st.Stored != total-failed-gone || st.Duplicates != 0 {
		t.Fatalf("pull with faults: %+v, %v; want ErrIncomplete, 1 blob failed, 1 gone, %d stored", st, err, total-failed-gone)
	}
	if f.requests[path(blobs[0])] < 2 {
		t.Fatalf("the cut download was requested %d times, want it resumed", f.requests[path(blobs[0])])
	}
	named, deleted := false, false
	for _, w := range warnings {
		named = named || strings.HasPrefix(w, blobs[1][0]+"/"+blobs[1][1]+": not read")
		deleted = deleted || w == blobs[2][0]+"/"+blobs[2][1]+": deleted since it was listed; not read"
	}
	if !named || !deleted {
		t.Fatalf("no warning names the blob that failed, or the one deleted: %q", warnings)
	}
	f.mu.Lock()
	f.fail, f.gone = "", ""
	f.mu.Unlock()
	st, err = Pull(context.Background(), db, Options{Client: client})
	if err != nil || st.Stored != failed+gone || st.BlobsRead != 2 {
		t.Fatalf("pull after: %+v, %v; want the %d sign-ins of the blobs that failed and were not found", st, err, failed+gone)
	}
	if n := count(t, db); n != total {
		t.Fatalf("store holds %d, want %d", n, total)
	}
}
