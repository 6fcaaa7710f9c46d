//go:build unix && !linux

package gateway

import "syscall"

// sysProcAttr puts each instance in its own process group, so that stopping
// it also stops whatever it started.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
