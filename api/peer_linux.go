package api

import (
	"net"
	"syscall"
)

// peerUID is the user id of the process at the other end of a Unix
// socket connection, as the kernel saw it connect (SO_PEERCRED).
func peerUID(c *net.UnixConn) (int, error) {
	uid, _, err := peerCred(c)
	return uid, err
}

// peerCred is the user and process ids of the process at the other end
// of a Unix socket connection, as the kernel saw it connect or listen
// (SO_PEERCRED).
func peerCred(c *net.UnixConn) (uid, pid int, err error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, 0, err
	}
	var (
		cred *syscall.Ucred
		cerr error
	)
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return -1, 0, err
	}
	if cerr != nil {
		return -1, 0, cerr
	}
	return int(cred.Uid), int(cred.Pid), nil
}
