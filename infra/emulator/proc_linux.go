package emulator

import "syscall"

// sysProcAttr puts the emulator in its own process group and has the kernel kill it if the
// runner dies without stopping it (SIGKILL, a crash): no emulator is left holding a port.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
