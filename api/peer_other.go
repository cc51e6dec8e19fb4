//go:build !linux

package api

import (
	"errors"
	"net"
)

// peerUID cannot tell a peer's user here: every connection is refused,
// and a store held by another process is in use, as before sockets.
func peerUID(*net.UnixConn) (int, error) {
	return -1, errors.New("this system's peer credentials are not read by signinq")
}

// peerCred cannot tell a peer's ids here.
func peerCred(*net.UnixConn) (uid, pid int, err error) {
	_, err = peerUID(nil)
	return -1, 0, err
}
