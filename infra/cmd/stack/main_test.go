package main

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// `stack run` gives the command the stack's variables, exits with the command's status and
// leaves no process behind.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local stack (-short, make unit)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("uses a Linux child subreaper to catch orphans")
	}
	// Orphans of the runner become this test's children instead of init's, where children()
	// can see them.
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Fatalf("prctl: %v", errno)
	}
	bin := filepath.Join(t.TempDir(), "stack")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(t.TempDir(), "env.json")
	script := `
set -e
curl_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" != 000 ]; }
for v in ROSTER_API_URL ROSTER_STACK_FILE ROSTER_DYNAMODB_ENDPOINT ROSTER_COGNITO_ENDPOINT ROSTER_SES_ENDPOINT \
         ROSTER_MAIL_JSON_URL ROSTER_USER_POOL_ID ROSTER_USER_POOL_CLIENT_ID ROSTER_TABLE_NAME \
         ROSTER_ADMIN_LOGIN ROSTER_ADMIN_PASSWORD ROSTER_GATEWAY_INVOKE_URL AWS_REGION AWS_ACCESS_KEY_ID; do
  eval "test -n \"\${$v}\"" || { echo "$v is empty"; exit 1; }
done
curl_ok "$ROSTER_API_URL" && curl_ok "$ROSTER_DYNAMODB_ENDPOINT" && curl_ok "$ROSTER_COGNITO_ENDPOINT"
curl -sf "$ROSTER_MAIL_JSON_URL" > /dev/null
cp "$ROSTER_STACK_FILE" "$OUT"
exit 7
`
	cmd := exec.Command(bin, "run", "--", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "OUT="+out)
	output, err := cmd.CombinedOutput()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 7 {
		t.Fatalf("stack run: %v, want exit status 7\n%s", err, output)
	}
	var file struct {
		APIURL      string `json:"apiUrl"`
		MailJSONURL string `json:"mailJsonUrl"`
		Admin       struct {
			LoginAccount string `json:"loginAccount"`
			Password     string `json:"password"`
		} `json:"admin"`
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &file); err != nil || file.APIURL == "" || file.MailJSONURL == "" || file.Admin.Password == "" {
		t.Errorf("stack.json: %s (%v)", data, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for children(t) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := children(t); n > 0 {
		t.Errorf("%d processes outlived `stack run`", n)
	}
}

// children counts live processes whose parent is this test process.
func children(t *testing.T) int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	self := strconv.Itoa(os.Getpid())
	n := 0
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(fields) > 1 && fields[1] == self && fields[0] != "Z" {
			n++
		}
	}
	return n
}

func TestRunArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		params  map[string]string
		command []string
		ok      bool
	}{
		{[]string{"--", "go", "test"}, map[string]string{}, []string{"go", "test"}, true},
		{[]string{"go", "test"}, map[string]string{}, []string{"go", "test"}, true},
		{[]string{"A=1", "B=x=y", "--", "go"}, map[string]string{"A": "1", "B": "x=y"}, []string{"go"}, true},
		{[]string{"A=1", "go"}, nil, nil, false},
		{[]string{"A=1"}, nil, nil, false},
		{[]string{"A=1", "--"}, nil, nil, false},
		{[]string{"--"}, nil, nil, false},
		{[]string{}, nil, nil, false},
	}
	for _, tt := range tests {
		params, command, ok := runArgs(tt.args)
		if ok != tt.ok || !maps.Equal(params, tt.params) || !slices.Equal(command, tt.command) {
			t.Errorf("runArgs(%q) = %v, %q, %v; want %v, %q, %v", tt.args, params, command, ok, tt.params, tt.command, tt.ok)
		}
	}
}
