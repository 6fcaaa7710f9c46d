// Command stack runs Roster's local stack (see infra/stack). Everything is in memory, so
// each start makes the table, the pool and the admin anew.
//
//	stack dev                  `make dev`: fixed loopback ports from ROSTER_DEV_PORT (default 8780:
//	                           API, +1 mailbox, +2 mail JSON, +3 DynamoDB Local, +4 Cognito),
//	                           state and logs in .dev/, the admin's fixed credentials in
//	                           .dev/stack.json while it runs; stops on SIGINT or SIGTERM.
//	stack run [NAME=VALUE...] -- CMD [ARG...]
//	                           `make test`: a fresh stack on free ports, runs CMD with its
//	                           ROSTER_* variables and exits with CMD's status. NAME=VALUE
//	                           overrides a template parameter, as sam deploy does.
package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/stack"
)

// devAdmin is the super admin of `make dev`. The password is fixed so that stack.json and a
// developer's saved sign-in stay valid across restarts; it is only ever used on loopback.
var devAdmin = stack.Admin{
	LoginAccount: "admin",
	Username:     "Admin",
	Email:        "admin@roster.local",
	Password:     "roster-local-dev-8426",
}

const defaultDevPort = 8780

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var code int
	switch os.Args[1] {
	case "dev":
		code = dev()
	case "run":
		params, command, ok := runArgs(os.Args[2:])
		if !ok {
			usage()
		}
		code = run(params, command)
	default:
		usage()
	}
	os.Exit(code)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: stack dev | stack run [Parameter=value...] -- command [args...]")
	os.Exit(2)
}

// runArgs splits `run`'s arguments into parameter overrides and the command after "--"
// (which may be left out when there are no overrides).
func runArgs(args []string) (params map[string]string, command []string, ok bool) {
	params = map[string]string{}
	for i, a := range args {
		if a == "--" {
			if command = args[i+1:]; len(command) == 0 {
				return nil, nil, false
			}
			return params, command, true
		}
		name, value, isParam := strings.Cut(a, "=")
		if !isParam || name == "" || strings.HasPrefix(name, "-") {
			if i == 0 {
				return params, args, true // no overrides and no "--"
			}
			return nil, nil, false
		}
		params[name] = value
	}
	return nil, nil, false
}

func dev() int {
	root, err := provision.RepoRoot()
	if err != nil {
		return fail(err)
	}
	base := defaultDevPort
	if v := os.Getenv("ROSTER_DEV_PORT"); v != "" {
		if base, err = strconv.Atoi(v); err != nil {
			return fail(fmt.Errorf("ROSTER_DEV_PORT=%q: %w", v, err))
		}
	}
	stateDir := filepath.Join(root, ".dev")
	stackFile := filepath.Join(stateDir, "stack.json")
	// A stack.json left by a run that was killed names ports nothing listens on any more.
	if err := os.Remove(stackFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(err)
	}
	ctx, stop := stopContext()
	defer stop()

	started := time.Now()
	s, err := stack.Start(ctx, stack.Options{
		Root:     root,
		StateDir: stateDir,
		Ports: stack.Ports{
			API: base, Mailbox: base + 1, MailJSON: base + 2, DynamoDB: base + 3, Cognito: base + 4,
		},
		Admin:      devAdmin,
		Progress:   os.Stderr,
		GatewayLog: os.Stderr,
	})
	if err != nil {
		return fail(err)
	}
	defer s.Close()
	if err := s.WriteFile(stackFile); err != nil {
		return fail(err)
	}
	defer os.Remove(stackFile)

	fmt.Fprintf(os.Stderr, `
Roster's local stack is up (%.1fs).
  console      %s
  API          %s
  mailbox      %s
  mail JSON    %s
  admin        login account %q, password %q
  stack file   %s
  DynamoDB     %s   (table %s)
  Cognito      %s   (pool %s, client %s)
  SES          %s
  SQS          %s   (mail dead-letter queue %s)
  logs         %s
Stop with Ctrl-C.
`, time.Since(started).Seconds(), s.ConsoleURL, s.APIURL, s.MailboxURL, s.MailJSONURL,
		s.Admin.LoginAccount, s.Admin.Password, stackFile,
		s.DynamoDBEndpoint, s.TableName, s.CognitoEndpoint, s.UserPool.ID, s.UserPool.ClientID,
		s.SESEndpoint, s.SQSEndpoint, orNone(s.MailDLQURL), logList(s.Logs))

	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "stack: stopping")
	return 0
}

func run(params map[string]string, command []string) int {
	root, err := provision.RepoRoot()
	if err != nil {
		return fail(err)
	}
	runs := filepath.Join(root, ".dev", "runs")
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return fail(err)
	}
	pruneRuns(runs, 24*time.Hour)
	stateDir, err := os.MkdirTemp(runs, time.Now().Format("20060102-150405-"))
	if err != nil {
		return fail(err)
	}
	ctx, stop := stopContext()
	defer stop()

	started := time.Now()
	s, err := stack.Start(ctx, stack.Options{
		Root:       root,
		StateDir:   stateDir,
		Admin:      stack.Admin{LoginAccount: "admin", Username: "Admin", Email: "admin@roster.local"},
		Progress:   os.Stderr,
		Parameters: params,
	})
	if err != nil {
		fail(err)
		fmt.Fprintf(os.Stderr, "stack: logs kept in %s\n", filepath.Join(stateDir, "logs"))
		return 1
	}
	stackFile := filepath.Join(stateDir, "stack.json")
	if err := s.WriteFile(stackFile); err != nil {
		s.Close()
		return fail(err)
	}
	fmt.Fprintf(os.Stderr, "stack: up in %.1fs at %s; logs in %s\n", time.Since(started).Seconds(), s.APIURL, filepath.Join(stateDir, "logs"))

	code := runCommand(ctx, command, append(os.Environ(), s.Env(stackFile)...))
	s.Close()
	if code == 0 {
		_ = os.RemoveAll(stateDir)
	} else {
		fmt.Fprintf(os.Stderr, "stack: %s exited with %d; logs kept in %s\n", command[0], code, filepath.Join(stateDir, "logs"))
	}
	return code
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// logList names each component's log, one per line.
func logList(logs map[string]string) string {
	names := slices.Sorted(maps.Keys(logs))
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = fmt.Sprintf("%-9s %s", n, logs[n])
	}
	return strings.Join(lines, "\n               ")
}

// pruneRuns removes the state of failed runs (kept for their logs) once they are old.
func pruneRuns(dir string, age time.Duration) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && e.IsDir() && time.Since(info.ModTime()) > age {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// runCommand runs the command in the runner's own process group, so a terminal's Ctrl-C
// reaches it directly; a SIGTERM sent to the runner alone is passed on to it.
func runCommand(ctx context.Context, command []string, env []string) int {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fail(err)
		return 127
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = cmd.Process.Signal(syscall.SIGTERM)
		case <-done:
		}
	}()
	err := cmd.Wait()
	close(done)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	default:
		fail(err)
		return 1
	}
}

// stopContext ends on SIGINT or SIGTERM, or when the runner's parent goes away (`make` killed
// by a signal it does not pass on), so the stack is always stopped by the runner itself.
func stopContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	parent := os.Getppid()
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if os.Getppid() != parent {
					stop()
					return
				}
			}
		}
	}()
	return ctx, stop
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "stack: "+err.Error())
	return 1
}
