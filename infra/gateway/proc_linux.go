package gateway

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sysProcAttr puts each instance in its own process group, so that stopping
// it also stops whatever it started. Pdeathsig covers the case Close cannot:
// if the gateway's own process dies, its functions die with it instead of
// lingering on their ports. (Pdeathsig fires when the thread that started
// the child exits; Go only ends threads that a goroutine left locked, which
// this package never does.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// cpuTime is the on-CPU time of every thread of process pid so far: the first field
// of each /proc/<pid>/task/<tid>/schedstat, in nanoseconds (the second is the time
// spent waiting for a CPU, which is what a loaded machine adds). 0 if unreadable.
func cpuTime(pid int) time.Duration {
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "schedstat"))
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			if ns, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				total += time.Duration(ns)
			}
		}
	}
	return total
}
