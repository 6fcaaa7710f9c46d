// Package contract runs schemathesis against the local stack that `make test` starts: every
// operation of the OpenAPI document the stack serves, generated from the document, with a
// real admin's token and then a teamless member's, every check the issue names, and a bounded
// number of examples per operation. Afterwards the table must hold what the accepted requests
// made and nothing that a refused one asked for (see checkWrites).
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
	"github.com/roster-dev/roster/internal/validate"
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
	// The run signs its accounts out, and may freeze or delete whatever users it finds:
	// tests sharing the stack at the same time would lose their sessions. make test runs it
	// on its own, after the other packages.
	if os.Getenv("ROSTER_CONTRACT") == "" {
		t.Skip("schemathesis runs alone, after the other tests: `make test` runs it with ROSTER_CONTRACT=1")
	}
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

	// Each run signs in as the first of its accounts that still can (see roster_hooks.py):
	// the super admin, then platform admins; teamless members, made after the admin's run,
	// which could otherwise freeze or delete them.
	var made []entry
	admins := append([][2]string{{adminLogin, adminPassword}}, newAccounts(t, "platform_admin", 3, &made)...)
	made = append(made, run(t, st, root, reports, 1, "admin", admins)...)
	members := newAccounts(t, "member", 3, &made)
	made = append(made, run(t, st, root, reports, 2, "member", members)...)

	checkWrites(t, before, census(t), made)
	t.Logf("reports in %s", reports)
}

// run is one `st run` as the given account; it answers the requests it made.
// Schemathesis reaches the API from a loopback address of the run's own, and signs in from
// another: the per-address limits its requests run into (100 failed sign-ins, 20 code
// requests) are neither the other tests' nor its own sign-ins'.
func run(t *testing.T, st, root, reports string, n byte, who string, accounts [][2]string) []entry {
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
		// One worker: with two, hypothesis describes its filters by ast.parse from two threads
		// at once, and Python 3.11's parser keeps that state per process, so a run could die
		// with "SystemError: AST constructor recursion depth mismatch" (a crash of the tool,
		// not a finding).
		"--max-examples", examples(), "--workers", "1", "--no-color", "--generation-database", "none",
		"--report", "junit,har", "--report-dir", dir, "--report-har-path", har)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"SCHEMATHESIS_HOOKS=roster_hooks", "PYTHONPATH="+filepath.Join(root, "internal", "contract"),
		"ROSTER_CONTRACT_API="+signInVia, "ROSTER_CONTRACT_ACCOUNTS="+string(must(json.Marshal(accounts))))
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
	return requests(t, har)
}

// entry is one request schemathesis made and what it was answered.
type entry struct {
	Method, Path string // the path with the ids it named
	Status       int
	Request      map[string]any
	Body         map[string]any
}

func (e entry) accepted() bool { return e.Status >= 200 && e.Status <= 299 }

func requests(t *testing.T, har string) []entry {
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
					PostData    *struct{ Text string }
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
		path := e.Request.URL
		if i := strings.Index(path, "/v1/"); i >= 0 {
			path = path[i:]
		}
		path, _, _ = strings.Cut(path, "?")
		en := entry{Method: e.Request.Method, Path: path, Status: e.Response.Status}
		if e.Request.PostData != nil {
			_ = json.Unmarshal([]byte(e.Request.PostData.Text), &en.Request)
		}
		_ = json.Unmarshal([]byte(e.Response.Content.Text), &en.Body)
		out = append(out, en)
	}
	return out
}

// snapshot is what the write checks read of the table: the uniqueness claims (login
// accounts, emails, team and role names) with the record each names, the records, and the
// invitations, codes and memberships of each team.
type snapshot struct {
	claims  map[string]string // claim pk -> pk of the record it names
	records map[string]bool   // pk of every user, team and role
	perTeam map[string]counts // team id -> "INVITE", "INVCODE", "MEMBER" -> how many
}

type counts map[string]int

// census reads the table whole; it scans, which no request path may.
func census(t *testing.T) snapshot {
	t.Helper()
	client := storetest.Client(t)
	snap := snapshot{claims: map[string]string{}, records: map[string]bool{}, perTeam: map[string]counts{}}
	team := func(id string) counts {
		if snap.perTeam[id] == nil {
			snap.perTeam[id] = counts{}
		}
		return snap.perTeam[id]
	}
	var start map[string]types.AttributeValue
	for {
		out, err := client.Scan(context.Background(), &dynamodb.ScanInput{
			TableName: aws.String(tableName), ExclusiveStartKey: start,
			ProjectionExpression: aws.String("pk, sk, userId, id, teamId"),
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range out.Items {
			pk, sk := str(item["pk"]), str(item["sk"])
			switch sk {
			case "PROFILE", "TEAM", "ROLE":
				snap.records[pk] = true
			case "LOGIN", "EMAIL":
				snap.claims[pk] = "USER#" + str(item["userId"])
			case "TEAMNAME":
				snap.claims[pk] = "TEAM#" + str(item["id"])
			case "ROLENAME":
				snap.claims[pk] = "ROLE#" + str(item["id"])
			case "INVITE", "INVCODE":
				team(str(item["teamId"]))[sk]++
			default:
				if id, ok := strings.CutPrefix(pk, "TEAM#"); ok && strings.HasPrefix(sk, "MEMBER#") {
					team(id)["MEMBER"]++
				}
			}
		}
		if start = out.LastEvaluatedKey; start == nil {
			return snap
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
	idPart    = `([a-z2-7]{26})`
	teamPath  = regexp.MustCompile(`^/v1/teams/` + idPart + `$`)
	teamChild = regexp.MustCompile(`^/v1/teams/` + idPart + `/(members|invitations|invitation-codes)(/.*)?$`)
)

// checkWrites holds the table to what the accepted requests made, in ways that other
// tests writing at the same time cannot disturb: every claim names a record that exists,
// no name that only refused requests asked for was claimed, and the run's teams hold
// exactly the invitations, codes and memberships its accepted requests gave them.
func checkWrites(t *testing.T, before, after snapshot, all []entry) {
	t.Helper()
	client := storetest.Client(t)
	for claim, record := range after.claims {
		if after.records[record] || exists(t, client, record, recordSK(record)) {
			continue
		}
		// The scan is no snapshot: a claim written with its record just then is no orphan.
		if !exists(t, client, claim, claimSK(claim)) {
			continue
		}
		t.Errorf("claim %s names %s, which does not exist: a write left its claim behind", claim, record)
	}

	wanted := map[string]bool{} // claims accepted requests made
	refused := map[string]entry{}
	runTeams := map[string]counts{}
	deletedTeams := map[string]bool{}
	for _, e := range all {
		for _, claim := range claimsAsked(e) {
			if e.accepted() {
				wanted[claim] = true
			} else {
				refused[claim] = e
			}
		}
		if !e.accepted() {
			continue
		}
		switch m := teamChild.FindStringSubmatch(e.Path); {
		case e.Method == "POST" && e.Path == "/v1/teams":
			id, _ := e.Body["id"].(string)
			runTeams[id] = counts{}
			if owner, _ := e.Request["ownerId"].(string); owner != "" {
				runTeams[id]["MEMBER"]++
			}
		case e.Method == "DELETE" && teamPath.MatchString(e.Path):
			deletedTeams[teamPath.FindStringSubmatch(e.Path)[1]] = true
		case m != nil && runTeams[m[1]] != nil:
			c := runTeams[m[1]]
			switch {
			case e.Method == "POST" && m[2] == "invitations" && m[3] == "":
				c["INVITE"]++
			case e.Method == "POST" && m[2] == "invitation-codes" && m[3] == "":
				c["INVCODE"]++
			case e.Method == "POST" && m[2] == "members" && m[3] == "":
				c["MEMBER"]++
			case e.Method == "DELETE" && m[2] == "members":
				c["MEMBER"]--
			}
		case e.Method == "POST" && (e.Path == "/v1/teams/join" || strings.HasSuffix(e.Path, "/accept")):
			team, _ := e.Body["team"].(map[string]any)
			if id, _ := team["id"].(string); runTeams[id] != nil {
				runTeams[id]["MEMBER"]++
			}
		}
	}
	for claim, e := range refused {
		if _, now := after.claims[claim]; now && !wanted[claim] && before.claims[claim] == "" {
			t.Errorf("%s %s was refused with %d, yet %s was claimed during the run", e.Method, e.Path, e.Status, claim)
		}
	}
	for id, want := range runTeams {
		if deletedTeams[id] {
			want = counts{}
		}
		got := after.perTeam[id]
		for _, kind := range []string{"INVITE", "INVCODE", "MEMBER"} {
			if got[kind] != want[kind] {
				t.Errorf("team %s made by the run holds %d %s items, want %d from its accepted requests", id, got[kind], kind, want[kind])
			}
		}
	}
	t.Logf("%d claims before the run, %d after; %d teams made by it", len(before.claims), len(after.claims), len(runTeams))
}

// claimsAsked are the claims a request would make if it were accepted: the login account of
// a new user, the name of a new or renamed team or role.
func claimsAsked(e entry) []string {
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	var out []string
	switch {
	case e.Method == "POST" && (e.Path == "/v1/users" || e.Path == "/v1/auth/register"):
		if login := str(e.Request, "loginAccount"); login != "" {
			out = append(out, "LOGIN#"+validate.Fold(login))
		}
	case e.Method == "POST" && strings.HasSuffix(e.Path, "/members"):
		if nu, ok := e.Request["newUser"].(map[string]any); ok && str(nu, "loginAccount") != "" {
			out = append(out, "LOGIN#"+validate.Fold(str(nu, "loginAccount")))
		}
	case (e.Method == "POST" && e.Path == "/v1/teams") || (e.Method == "PATCH" && teamPath.MatchString(e.Path)):
		if name := strings.TrimSpace(str(e.Request, "name")); name != "" {
			out = append(out, "TEAMNAME#"+validate.Fold(name))
		}
	case (e.Method == "POST" && e.Path == "/v1/roles") || (e.Method == "PATCH" && strings.HasPrefix(e.Path, "/v1/roles/")):
		if name := strings.TrimSpace(str(e.Request, "name")); name != "" {
			out = append(out, "ROLENAME#"+validate.Fold(name))
		}
	}
	return out
}

func recordSK(pk string) string {
	switch {
	case strings.HasPrefix(pk, "USER#"):
		return "PROFILE"
	case strings.HasPrefix(pk, "TEAM#"):
		return "TEAM"
	}
	return "ROLE"
}

func claimSK(pk string) string { p, _, _ := strings.Cut(pk, "#"); return p }

// exists reads one item consistently.
func exists(t *testing.T, client *dynamodb.Client, pk, sk string) bool {
	t.Helper()
	out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(tableName), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item != nil
}

// newAccounts creates n accounts of a type (members in no team), through the API, and signs
// each in once so that its password is its own; it adds their creations to made.
func newAccounts(t *testing.T, accountType string, n int, made *[]entry) [][2]string {
	t.Helper()
	admin := signIn(t, adminLogin, adminPassword)
	var out [][2]string
	for i := range n {
		login := fmt.Sprintf("contract-%s-%d-%d", strings.ReplaceAll(accountType, "_", "-"), i, time.Now().UnixNano())
		var created struct{ TemporaryPassword string }
		call(t, admin, "POST", "/v1/users", map[string]any{
			"username": "Contract." + accountType, "loginAccount": login, "accountType": accountType,
			"password": map[string]any{"generate": true},
		}, http.StatusCreated, &created)
		*made = append(*made, entry{Method: "POST", Path: "/v1/users", Status: http.StatusCreated, Request: map[string]any{"loginAccount": login}})
		var step struct{ Challenge, Session string }
		call(t, "", "POST", "/v1/auth/login", map[string]any{"loginAccount": login, "password": created.TemporaryPassword}, http.StatusOK, &step)
		password := "contract-run-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		call(t, "", "POST", "/v1/auth/challenge", map[string]any{
			"loginAccount": login, "session": step.Session, "challenge": step.Challenge, "newPassword": password,
		}, http.StatusOK, nil)
		out = append(out, [2]string{login, password})
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
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
