package chcluster

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the server die with the test process, even when the
// test binary is killed (a timeout) before its cleanups run.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
