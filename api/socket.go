package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// SocketName is the Unix socket, in a store's directory, on which the
// process that holds the store answers the API for the other processes
// of its user (ServeSocket, Dial).
const SocketName = "signinq.sock"

// SocketPath is the socket of the store in dir.
func SocketPath(dir string) string { return filepath.Join(dir, SocketName) }

// SocketOptions are the Options of the API a holder answers on its
// socket: the caller's own limits, unbounded by the holder's (it is the
// same user, whose command would have run the query itself), and no
// token (the socket is the user's alone).
func SocketOptions(opts Options) Options {
	opts.Timeout, opts.MaxTimeout = math.MaxInt64, math.MaxInt64
	opts.MaxMemory = math.MaxInt64
	opts.Token, opts.LoopbackHosts = "", false
	return opts
}

// Socket is the API served on a store's socket by the process that
// holds the store (ServeSocket).
type Socket struct {
	path   string
	srv    *http.Server
	cancel context.CancelFunc
	served chan error
	once   sync.Once
}

// ServeSocket serves h on the socket of the store in dir, which the
// caller holds open (engine.Open took its lock), until Close. The socket
// is created with mode 0600, and each connection is answered only when
// its peer is a process of the user this process runs as (the kernel's
// peer credentials, SO_PEERCRED), else refused with 403 (kind auth). A
// socket already there is a dead holder's (whoever holds the store's lock
// is the only one that listens), and is replaced.
func ServeSocket(dir string, h http.Handler) (*Socket, error) {
	path := SocketPath(dir)
	// Listen on a name of its own, make it the user's alone, then give
	// it its name: no other user can connect before the mode is set.
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d", SocketName, os.Getpid()))
	os.Remove(tmp)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("sharing the store: %w", err)
	}
	ln.SetUnlinkOnClose(false) // Close removes it under its final name
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("sharing the store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("sharing the store: %w", err)
	}
	base, cancel := context.WithCancel(context.Background())
	s := &Socket{path: path, cancel: cancel, served: make(chan error, 1)}
	s.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, peerKey{}, checkPeer(c, ownUID()))
		},
		ErrorLog: nil,
	}
	s.srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err, _ := r.Context().Value(peerKey{}).(error); err != nil {
			writeError(w, &Error{Message: "the store is held by another user's process: " + err.Error(), Kind: KindAuth, status: http.StatusForbidden})
			return
		}
		h.ServeHTTP(w, r)
	})
	go func() { s.served <- s.srv.Serve(ln) }()
	return s, nil
}

// ownUID is the user a peer must be: this process's (a test's other).
var ownUID = os.Getuid

// peerKey keys a connection's peer check in its requests' contexts: nil
// when the peer is this process's user.
type peerKey struct{}

// errOtherUser is a peer that is not this process's user.
var errOtherUser = errors.New("connection from another user")

// checkPeer checks that the process at the other end of c runs as uid.
func checkPeer(c net.Conn, uid int) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return errors.New("not a Unix socket connection")
	}
	got, err := peerUID(uc)
	if err != nil {
		return err
	}
	if got != uid {
		return fmt.Errorf("%w (uid %d)", errOtherUser, got)
	}
	return nil
}

// Path is the socket's path.
func (s *Socket) Path() string { return s.path }

// Close stops taking connections, lets the requests under way finish
// for up to grace, cancels the queries still running, waits for them,
// and removes the socket: what the holder does before closing the store.
func (s *Socket) Close(grace time.Duration) error {
	var err error
	s.once.Do(func() {
		// Remove the name first: a process that finds the store free
		// from now on opens it itself.
		os.Remove(s.path)
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if s.srv.Shutdown(ctx) != nil {
			s.cancel()
			s.srv.Close()
		}
		s.cancel()
		if e := <-s.served; !errors.Is(e, http.ErrServerClosed) {
			err = e
		}
	})
	return err
}

// The errors of Dial and of a Client's requests that could not reach a
// holder.
var (
	// ErrNoHolder is the error of a store whose socket is absent or
	// answers no one: no process is holding the store and serving it (a
	// holder that is starting or stopping, one that holds it only for a
	// moment, or a signinq from before sockets).
	ErrNoHolder = errors.New("no process answers on the store's socket")
	// ErrOtherUser is the error of a store held by another user's
	// process, whose socket this user may not use.
	ErrOtherUser = errors.New("the store is held by another user's process")
)

// Client asks the API of the process that holds a store, through the
// store's socket.
type Client struct {
	http *http.Client
	pid  int
}

// PID is the process id of the holder Dial reached, as the kernel told
// it (SO_PEERCRED); 0 when it could not be told.
func (c *Client) PID() int { return c.pid }

// Dial connects to the socket of the store in dir: ErrNoHolder when no
// process answers there, ErrOtherUser when it is another user's.
func Dial(dir string) (*Client, error) {
	path := SocketPath(dir)
	dial := func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
	c, err := dial(context.Background())
	if err != nil {
		return nil, dialError(err)
	}
	pid := 0
	if uc, ok := c.(*net.UnixConn); ok {
		if _, p, err := peerCred(uc); err == nil {
			pid = p
		}
	}
	c.Close() // someone answers; each request connects anew
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			c, err := dial(ctx)
			if err != nil {
				return nil, dialError(err)
			}
			return c, nil
		},
		DisableCompression: true,
	}
	return &Client{http: &http.Client{Transport: tr}, pid: pid}, nil
}

// dialError is the error of a connection to a socket that failed.
func dialError(err error) error {
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("%w: %v", ErrOtherUser, err)
	}
	return fmt.Errorf("%w: %v", ErrNoHolder, err)
}

// Close closes the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// do sends a request, and reads an error answer as the *Error it holds.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("%w: %v", ErrNoHolder, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var body errorBody
	if jerr := jsonUnmarshal(b, &body); jerr != nil || body.Error == nil {
		return nil, fmt.Errorf("%w: status %s: %q", ErrDecode, resp.Status, b)
	}
	body.Error.status = resp.StatusCode
	if body.Error.Kind == KindAuth && resp.StatusCode == http.StatusForbidden {
		return nil, fmt.Errorf("%w: %s", ErrOtherUser, body.Error.Message)
	}
	return nil, body.Error
}
