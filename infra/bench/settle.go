package bench

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"time"
)

// Settling before a cold start: the machine is quiet once a settleWindow passes with
// its CPUs busy at most settleBusy of the time, or after settleMax whatever it does.
const (
	settleWindow = 20 * time.Millisecond
	settleBusy   = 0.10
	settleMax    = time.Second
)

// settle waits until the machine is quiet, so that a cold start meets the same
// machine whether or not set-up requests, DynamoDB Local's work after them or the
// mail poller came before it: CPU time grows with what the other cores are doing.
// Where /proc/stat cannot be read it waits settleWindow.
func settle() {
	deadline := time.Now().Add(settleMax)
	busy0, total0, ok := cpuTimes()
	for ok && time.Now().Before(deadline) {
		time.Sleep(settleWindow)
		busy1, total1, ok1 := cpuTimes()
		if !ok1 {
			return
		}
		if total1 > total0 && float64(busy1-busy0)/float64(total1-total0) <= settleBusy {
			return
		}
		busy0, total0 = busy1, total1
	}
	if !ok {
		time.Sleep(settleWindow)
	}
}

// cpuTimes returns the machine's busy and total CPU time in clock ticks, from the
// first line of /proc/stat ("cpu  user nice system idle iowait irq softirq steal ...").
func cpuTimes() (busy, total uint64, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return 0, 0, false
	}
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, false
	}
	for i, s := range fields[1:] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total, true
}
