package gateway

import "syscall"

// sysProcAttr puts each instance in its own process group, so that stopping
// it also stops whatever it started. Pdeathsig covers the case Close cannot:
// if the gateway's own process dies, its functions die with it instead of
// lingering on their ports. (Pdeathsig fires when the thread that started
// the child exits; Go only ends threads that a goroutine left locked, which
// this package never does.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
