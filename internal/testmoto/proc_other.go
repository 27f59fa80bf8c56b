//go:build !linux

package testmoto

import "os/exec"

// setParentDeathSignal has no portable equivalent outside Linux; there Main
// is what stops the server.
func setParentDeathSignal(*exec.Cmd) {}
