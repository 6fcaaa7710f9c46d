// Package emulator starts the local stand-ins for AWS services that `make tools` installs into
// .tools/: DynamoDB Local, moto_server for Cognito, and aws-ses-v2-local for SES v2. Each runs
// on a loopback port in its own process group with its output in a log file, and is stopped
// with its whole group, so that nothing outlives the stack.
package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Tools is the folder `make tools` installs into (.tools at the repository root).
type Tools struct{ Dir string }

// Spec says how to run one emulator.
type Spec struct {
	Name    string   // short name; also the log file's name: <Name>.log
	Command []string // program and arguments
	Dir     string   // working directory; "" for the caller's
	Port    int
	Stamp   string // file `make tools` writes once the tool is installed
	// AppendLog keeps what the log file holds: a restarted emulator's log goes on after the
	// first run's.
	AppendLog bool
}

// DynamoDBLocal runs AWS's DynamoDB Local with the machine's Java. With dbPath empty the data
// lives in memory. -sharedDb gives every access key and region the same tables: the functions,
// the tests and the provisioning code all use different dummy credentials.
// DynamoDB Local has no option to listen on loopback only: it listens on every interface.
func (t Tools) DynamoDBLocal(port int, dbPath string) Spec {
	lib := filepath.Join(t.Dir, "dynamodb-local", "lib")
	java := "java"
	if home := os.Getenv("JAVA_HOME"); home != "" {
		java = filepath.Join(home, "bin", "java")
	}
	cmd := []string{java,
		// C1 only and the serial collector: starts sooner and uses less CPU on a small machine;
		// DynamoDB Local never runs long enough for the optimising compiler to pay off.
		"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
		"-Djava.library.path=" + lib, "-cp", filepath.Join(lib, "*"),
		"com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
		"-port", strconv.Itoa(port), "-sharedDb", "-disableTelemetry"}
	if dbPath == "" {
		cmd = append(cmd, "-inMemory")
	} else {
		cmd = append(cmd, "-dbPath", dbPath)
	}
	return Spec{Name: "dynamodb", Command: cmd, Port: port, Stamp: filepath.Join(t.Dir, "dynamodb-local", ".installed")}
}

// Cognito runs moto_server, which serves cognito-idp (and the pool's JWKS), through
// infra/emulator/cognito_server.py, which makes a few Cognito behaviours faithful.
// Tools.Dir is the .tools folder at the repository root, next to infra/.
func (t Tools) Cognito(port int) Spec {
	script := filepath.Join(filepath.Dir(t.Dir), "infra", "emulator", "cognito_server.py")
	return Spec{
		Name:    "cognito",
		Command: []string{filepath.Join(t.Dir, "moto", "bin", "python"), script, "-H", "127.0.0.1", "-p", strconv.Itoa(port)},
		Port:    port,
		Stamp:   filepath.Join(t.Dir, "moto", ".installed"),
	}
}

// SES runs aws-ses-v2-local: SES v2 on "/", its mailbox page on "/", sent mail on "/store".
func (t Tools) SES(port int) Spec {
	return Spec{
		Name: "ses",
		Command: []string{"node", filepath.Join(t.Dir, "ses-local", "node_modules", "aws-ses-v2-local", "dist", "cli.js"),
			"--host", "127.0.0.1", "--port", strconv.Itoa(port)},
		Port:  port,
		Stamp: filepath.Join(t.Dir, "ses-local", ".installed"),
	}
}

// Process is a running emulator.
type Process struct {
	Name    string
	URL     string // http://127.0.0.1:<port>
	LogPath string

	cmd     *exec.Cmd
	log     *os.File
	exited  chan struct{}
	waitErr error
}

// startTimeout bounds how long an emulator may take to answer HTTP: the JVM and Python start
// slowly on a busy two-core machine.
const startTimeout = 90 * time.Second

// Start runs the emulator with its output in logDir/<name>.log and returns once it answers
// HTTP. When it exits or never answers, the error carries the end of its log.
func Start(ctx context.Context, spec Spec, logDir string) (*Process, error) {
	if spec.Stamp != "" {
		if _, err := os.Stat(spec.Stamp); err != nil {
			return nil, fmt.Errorf("%s emulator is not installed (%s missing): run `make tools`", spec.Name, spec.Stamp)
		}
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	p := &Process{
		Name:    spec.Name,
		URL:     "http://127.0.0.1:" + strconv.Itoa(spec.Port),
		LogPath: filepath.Join(logDir, spec.Name+".log"),
		exited:  make(chan struct{}),
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if spec.AppendLog {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	var err error
	if p.log, err = os.OpenFile(p.LogPath, flags, 0o644); err != nil {
		return nil, err
	}
	p.cmd = exec.Command(spec.Command[0], spec.Command[1:]...)
	p.cmd.Dir = spec.Dir
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	// Own process group: a terminal's Ctrl-C reaches only the runner, which then stops the
	// emulators in order, and Stop can signal whatever an emulator itself started.
	p.cmd.SysProcAttr = sysProcAttr()
	if err := p.cmd.Start(); err != nil {
		p.log.Close()
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		p.log.Close()
		close(p.exited)
	}()
	if err := p.waitReady(ctx); err != nil {
		p.Stop(time.Second)
		return nil, fmt.Errorf("%s emulator did not start: %w\n--- end of %s ---\n%s", spec.Name, err, p.LogPath, p.Tail(20))
	}
	return p, nil
}

// StartOn starts the emulator spec(port) makes. When the port was picked free rather
// than asked for, and the emulator exits because something took the port meanwhile
// (FreePort's race: a client's outgoing connection may be given it, say), it starts
// again on another free port, up to three times.
func StartOn(ctx context.Context, spec func(port int) Spec, port int, picked bool, logDir string) (*Process, error) {
	for attempt := 1; ; attempt++ {
		p, err := Start(ctx, spec(port), logDir)
		if err == nil || !picked || attempt == 3 || !errors.Is(err, errPortTaken) {
			return p, err
		}
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
}

// StartFree starts the emulator spec makes on a free port (see StartOn).
func StartFree(ctx context.Context, spec func(port int) Spec, logDir string) (*Process, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return StartOn(ctx, spec, port, true, logDir)
}

// DynamoAndMoto starts DynamoDB Local (in memory) and moto on free ports, for a package's
// tests run outside the local stack; it returns their URLs and what stops both.
func (t Tools) DynamoAndMoto(ctx context.Context, logDir string) (dynamo, moto string, stop func(), err error) {
	d, err := StartFree(ctx, func(p int) Spec { return t.DynamoDBLocal(p, "") }, logDir)
	if err != nil {
		return "", "", nil, err
	}
	m, err := StartFree(ctx, t.Cognito, logDir)
	if err != nil {
		d.Stop(5 * time.Second)
		return "", "", nil, err
	}
	return d.URL, m.URL, func() { d.Stop(5 * time.Second); m.Stop(5 * time.Second) }, nil
}

// errPortTaken marks an emulator that exited because its port was in use.
var errPortTaken = errors.New("its port was taken")

func (p *Process) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	// A request still waiting when the emulator exits ends with it: whatever holds the
	// port (when the emulator could not bind it) may never answer.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-p.exited:
			stop()
		case <-ctx.Done():
		}
	}()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil // any HTTP answer will do: the server is listening and handling requests
		}
		select {
		case <-p.exited:
			return p.exitError()
		case <-ctx.Done():
			select {
			case <-p.exited: // the exit ended ctx
				return p.exitError()
			default:
				return fmt.Errorf("no answer on %s after %s", p.URL, startTimeout)
			}
		case <-tick.C:
		}
	}
}

// exitError says why an emulator that exited while starting did.
func (p *Process) exitError() error {
	if portTaken(p.Tail(20)) {
		return fmt.Errorf("it exited (%v): %w", p.waitErr, errPortTaken)
	}
	return fmt.Errorf("it exited (%v)", p.waitErr)
}

// Stop sends SIGTERM to the emulator's process group, then SIGKILL after grace.
func (p *Process) Stop(grace time.Duration) error {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return nil
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
	// The leader is gone; make sure nothing it started is left in its group.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

// Pid is the emulator's process id, which is also its process group id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Tail returns the last n lines of the emulator's log.
func (p *Process) Tail(n int) string {
	data, err := os.ReadFile(p.LogPath)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// portTaken reports whether an emulator's log says it could not bind its port, in the
// words of Java (DynamoDB Local), Python (moto) or Node (aws-ses-v2-local).
func portTaken(log string) bool {
	log = strings.ToLower(log)
	return strings.Contains(log, "address already in use") || strings.Contains(log, "eaddrinuse")
}

// FreePort asks the kernel for a free loopback port. Another process could take it before
// the emulator binds it: StartOn then tries another.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PortFree reports whether a fixed port can be bound on loopback, to fail early with a clear
// message rather than through an emulator's stack trace.
func PortFree(port int) error {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %d is in use", port)
		}
		return err
	}
	return l.Close()
}
