//go:build !linux

package localcluster

import "os/exec"

// dieWithParent does nothing where the system cannot tie a child's life
// to its parent's: Close stops the servers.
func dieWithParent(*exec.Cmd) {}
