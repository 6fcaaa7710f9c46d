//go:build unix && !linux

package gateway

import (
	"syscall"
	"time"
)

// sysProcAttr puts each instance in its own process group, so that stopping
// it also stops whatever it started.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// cpuTime is not known here: InstanceStats.InitCPU stays 0.
func cpuTime(int) time.Duration { return 0 }
