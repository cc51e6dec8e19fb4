package localcluster

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the server die with the process that started it, even when
// that process is killed before it can stop them.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
