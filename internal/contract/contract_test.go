// Package contract runs schemathesis against the local stack that `make test` starts: every
// operation of the OpenAPI document the stack serves, generated from the document, with a
// real admin's token and then a teamless member's, every check the issue names, and a bounded
// number of examples per operation. Afterwards the table must hold exactly what the accepted
// requests made: a refused request writes nothing.
package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/roster-dev/roster/internal/store/storetest"
)

var (
	apiURL        = os.Getenv("ROSTER_API_URL")
	adminLogin    = os.Getenv("ROSTER_ADMIN_LOGIN")
	adminPassword = os.Getenv("ROSTER_ADMIN_PASSWORD")
	tableName     = os.Getenv("ROSTER_TABLE_NAME")
)

// examples bounds the test cases per operation and phase (ROSTER_CONTRACT_EXAMPLES overrides
// it): enough to find what the document and the code disagree on, few enough for CI.
func examples() string {
	if n, err := strconv.Atoi(os.Getenv("ROSTER_CONTRACT_EXAMPLES")); err == nil && n > 0 {
		return strconv.Itoa(n)
	}
	return "10"
}

func TestSchemathesis(t *testing.T) {
	if apiURL == "" || tableName == "" {
		t.Fatal("ROSTER_API_URL is not set: run this through `make test` (or bin/roster-stack run -- go test ./internal/contract/)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	st := filepath.Join(root, ".tools", "schemathesis", "bin", "st")
	if _, err := os.Stat(st); err != nil {
		t.Fatalf("%s is missing: `make tools` installs it", st)
	}
	reports := filepath.Join(root, ".dev", "contract", time.Now().UTC().Format("20060102-150405"))
	before := census(t)

	var accepted []entry
	accepted = append(accepted, run(t, st, root, reports, 1, "admin", adminLogin, adminPassword)...)
	// The member is made after the admin's run, which could otherwise freeze or delete it.
	login, password := teamlessMember(t)
	accepted = append(accepted, run(t, st, root, reports, 2, "member", login, password)...)
	// The member itself, made above through the API, is a user too.
	accepted = append(accepted, entry{Method: "POST", Path: "/v1/users", Status: http.StatusCreated, Body: map[string]any{"user": map[string]any{}}})

	after := census(t)
	checkWrites(t, before, after, accepted)
	t.Logf("reports in %s", reports)
}

// run is one `st run` as the given account; it answers the requests the API accepted.
// Schemathesis reaches the API from a loopback address of the run's own, and signs in from
// another: the per-address limits its requests run into (100 failed sign-ins, 20 code
// requests) are neither the other tests' nor its own sign-ins'.
func run(t *testing.T, st, root, reports string, n byte, who, login, password string) []entry {
	t.Helper()
	api := proxy(t, apiURL, fmt.Sprintf("127.254.0.%d", n))
	signInVia := proxy(t, apiURL, fmt.Sprintf("127.254.1.%d", n))
	dir := filepath.Join(reports, who)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	har := filepath.Join(dir, "requests.har")
	cmd := exec.Command(st, "--config-file", filepath.Join(root, "internal", "contract", "schemathesis.toml"),
		"run", api+"/v1/openapi.json", "--url", api,
		"--max-examples", examples(), "--workers", "2", "--no-color", "--generation-database", "none",
		// Within the public routes' throttle: never more than a route's steady rate in all,
		// so the run cannot empty a bucket the other tests share.
		"--rate-limit", "20/s",
		"--report", "junit,har", "--report-dir", dir, "--report-har-path", har)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"SCHEMATHESIS_HOOKS=roster_hooks", "PYTHONPATH="+filepath.Join(root, "internal", "contract"),
		"ROSTER_CONTRACT_API="+signInVia, "ROSTER_CONTRACT_LOGIN="+login, "ROSTER_CONTRACT_PASSWORD="+password)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	_ = os.WriteFile(filepath.Join(dir, "output.txt"), out.Bytes(), 0o644)
	t.Logf("schemathesis as %s: %s, report in %s", who, time.Since(start).Round(time.Second), dir)
	if err != nil {
		// The failures with their curl, and the summary; the whole output is in output.txt.
		text := out.String()
		if i := strings.Index(text, "FAILURES"); i >= 0 {
			text = text[i:]
		}
		t.Errorf("schemathesis as %s failed (%v):\n%s", who, err, text)
	}
	return acceptedRequests(t, har)
}

// entry is one request the API accepted.
type entry struct {
	Method, Path string // the path with the ids it named
	Status       int
	Body         map[string]any
}

func acceptedRequests(t *testing.T, har string) []entry {
	t.Helper()
	data, err := os.ReadFile(har)
	if err != nil {
		t.Errorf("no HAR from schemathesis: %v", err)
		return nil
	}
	var doc struct {
		Log struct {
			Entries []struct {
				Request struct {
					Method, URL string
				}
				Response struct {
					Status  int
					Content struct{ Text string }
				}
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", har, err)
	}
	var out []entry
	for _, e := range doc.Log.Entries {
		if e.Response.Status < 200 || e.Response.Status > 299 {
			continue
		}
		path := e.Request.URL
		if i := strings.Index(path, "/v1/"); i >= 0 {
			path = path[i:]
		}
		path, _, _ = strings.Cut(path, "?")
		var body map[string]any
		_ = json.Unmarshal([]byte(e.Response.Content.Text), &body)
		out = append(out, entry{Method: e.Request.Method, Path: path, Status: e.Response.Status, Body: body})
	}
	return out
}

// counts are the table's items of each kind that a request can create or delete.
type counts map[string]int

// census counts the users, teams, roles, memberships, invitations and codes in the table,
// and the claims that make names and addresses unique; it scans, which no request path may.
func census(t *testing.T) counts {
	t.Helper()
	client := storetest.Client(t)
	c := counts{}
	var start map[string]types.AttributeValue
	for {
		out, err := client.Scan(context.Background(), &dynamodb.ScanInput{
			TableName: aws.String(tableName), ExclusiveStartKey: start,
			ProjectionExpression: aws.String("pk, sk, email"),
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range out.Items {
			pk, sk := str(item["pk"]), str(item["sk"])
			switch {
			case sk == "PROFILE":
				c["users"]++
				if str(item["email"]) != "" {
					c["users with email"]++
				}
			case sk == "TEAM", sk == "ROLE", sk == "INVITE", sk == "INVCODE",
				sk == "LOGIN", sk == "EMAIL", sk == "TEAMNAME", sk == "ROLENAME":
				c[sk]++
			case strings.HasPrefix(pk, "TEAM#") && strings.HasPrefix(sk, "MEMBER#"):
				c["memberships"]++
			}
		}
		if start = out.LastEvaluatedKey; start == nil {
			return c
		}
	}
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

var (
	idPath   = `[a-z2-7]{26}`
	teamPath = regexp.MustCompile(`^/v1/teams/` + idPath + `$`)
	userPath = regexp.MustCompile(`^/v1/users/` + idPath + `$`)
	rolePath = regexp.MustCompile(`^/v1/roles/` + idPath + `$`)
)

// checkWrites holds the table to what the accepted requests made. Users, teams and roles
// change only by their own creations and deletions; every user has its login account's
// claim, every user with an address its email's, every team and role its name's: a claim
// or a record that a refused request left behind breaks one of these.
func checkWrites(t *testing.T, before, after counts, accepted []entry) {
	t.Helper()
	want := counts{"users": before["users"], "TEAM": before["TEAM"], "ROLE": before["ROLE"]}
	for _, e := range accepted {
		switch {
		case e.Method == "POST" && (e.Path == "/v1/users" || e.Path == "/v1/auth/register") && e.Status == http.StatusCreated:
			want["users"]++
		case e.Method == "POST" && strings.HasSuffix(e.Path, "/members") && e.Status == http.StatusCreated && e.Body["temporaryPassword"] != nil:
			want["users"]++
		case e.Method == "DELETE" && userPath.MatchString(e.Path) && e.Status == http.StatusNoContent:
			want["users"]--
		case e.Method == "POST" && e.Path == "/v1/teams" && e.Status == http.StatusCreated:
			want["TEAM"]++
		case e.Method == "DELETE" && teamPath.MatchString(e.Path) && e.Status == http.StatusNoContent:
			want["TEAM"]--
		case e.Method == "POST" && e.Path == "/v1/roles" && e.Status == http.StatusCreated:
			want["ROLE"]++
		case e.Method == "DELETE" && rolePath.MatchString(e.Path) && e.Status == http.StatusNoContent:
			want["ROLE"]--
		}
	}
	for kind, n := range want {
		if after[kind] != n {
			t.Errorf("%s: %d in the table after the run, want %d (%d before, and what the accepted requests made)", kind, after[kind], n, before[kind])
		}
	}
	for _, pair := range [][2]string{{"LOGIN", "users"}, {"EMAIL", "users with email"}, {"TEAMNAME", "TEAM"}, {"ROLENAME", "ROLE"}} {
		if after[pair[0]] != after[pair[1]] {
			t.Errorf("%d %s claims for %d %s: a write left a claim or a record alone", after[pair[0]], pair[0], after[pair[1]], pair[1])
		}
	}
	t.Logf("table before %v, after %v", before, after)
}

// teamlessMember creates a member account in no team, through the API, and signs it in
// once so that its password is its own: it answers the login account and password.
func teamlessMember(t *testing.T) (login, password string) {
	t.Helper()
	admin := signIn(t, adminLogin, adminPassword)
	login = fmt.Sprintf("contract-%d", time.Now().UnixNano())
	var created struct{ TemporaryPassword string }
	call(t, admin, "POST", "/v1/users", map[string]any{
		"username": "Contract.member", "loginAccount": login, "accountType": "member",
		"password": map[string]any{"generate": true},
	}, http.StatusCreated, &created)
	var step struct{ Challenge, Session string }
	call(t, "", "POST", "/v1/auth/login", map[string]any{"loginAccount": login, "password": created.TemporaryPassword}, http.StatusOK, &step)
	password = "contract-run-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	call(t, "", "POST", "/v1/auth/challenge", map[string]any{
		"loginAccount": login, "session": step.Session, "challenge": step.Challenge, "newPassword": password,
	}, http.StatusOK, nil)
	return login, password
}

func signIn(t *testing.T, login, password string) string {
	t.Helper()
	var tokens struct{ AccessToken string }
	call(t, "", "POST", "/v1/auth/login", map[string]any{"loginAccount": login, "password": password}, http.StatusOK, &tokens)
	if tokens.AccessToken == "" {
		t.Fatalf("%s did not get tokens", login)
	}
	return tokens.AccessToken
}

func call(t *testing.T, token, method, path string, body any, want int, out any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, err := http.NewRequest(method, apiURL+path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// proxy listens on a loopback port and passes each connection to target's host from the
// source address from: what the gateway sees as the client's address.
func proxy(t *testing.T, target, from string) string {
	t.Helper()
	host := strings.TrimPrefix(strings.TrimPrefix(target, "http://"), "https://")
	host, _, _ = strings.Cut(host, "/")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer client.Close()
				server, err := dialer.Dial("tcp", host)
				if err != nil {
					return
				}
				defer server.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(server, client); done <- struct{}{} }()
				go func() { _, _ = io.Copy(client, server); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}
