package testmoto

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal makes the kernel kill moto when the test process
// dies, so a test binary that crashes, is killed by `go test -timeout`, or
// lacks a TestMain calling Main does not leave a server running.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
