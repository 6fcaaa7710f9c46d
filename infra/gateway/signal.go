//go:build unix

package gateway

import "syscall"

// killGroup signals the process group led by pid (Setpgid made the
// instance's process the leader of its own group).
func killGroup(pid int, sig syscall.Signal) error {
	return syscall.Kill(-pid, sig)
}
