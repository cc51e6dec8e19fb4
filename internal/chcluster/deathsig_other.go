//go:build !linux

package chcluster

import "os/exec"

// dieWithTest does nothing where the system cannot tie a child's life
// to its parent's: the test's cleanup stops the servers.
func dieWithTest(*exec.Cmd) {}
