package stack

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// checkIAMEnforced takes one action away from a function's policy, as a template that forgot it
// would: the request that needs it fails as it would on AWS, with the refusal in the function's
// log and nothing written, and passes again once the action is back.
func checkIAMEnforced(t *testing.T, s *Stack) {
	t.Helper()
	const fn, action = "UpdateMeFunction", "dynamodb:UpdateItem"
	token := signIn(t, s)
	rename := func(name string) (int, string) {
		body, _ := json.Marshal(map[string]string{"username": name})
		req, _ := http.NewRequest(http.MethodPatch, s.APIURL+"/v1/me", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Username string `json:"username"`
			Error    struct{ Code string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Username + out.Error.Code
	}
	if status, got := rename("Admin.Before"); status != http.StatusOK || got != "Admin.Before" {
		t.Fatalf("PATCH /v1/me with the template's policy: %d %s", status, got)
	}

	full, ok := s.IAM().Policy(fn)
	if !ok {
		t.Fatalf("no policy for %s", fn)
	}
	s.IAM().SetPolicy(fn, full.Without(action))
	status, got := rename("Admin.Without")
	s.IAM().SetPolicy(fn, full)
	if status != http.StatusInternalServerError || got != "internal" {
		t.Errorf("PATCH /v1/me without %s: %d %s, want 500 internal", action, status, got)
	}
	want := "AccessDeniedException: User: arn:aws:sts::" + AccountID + ":assumed-role/" + fn + "Role/" + fn +
		" is not authorized to perform: " + action + " on resource: arn:aws:dynamodb:" + Region + ":" + AccountID + ":table/" + s.TableName
	if !logHas(s.Logs["gateway"], want) {
		t.Errorf("the gateway log does not name the refusal: %q", want)
	}
	req, _ := http.NewRequest(http.MethodGet, s.APIURL+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		var me struct{ User struct{ Username string } }
		_ = json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		if me.User.Username != "Admin.Before" {
			t.Errorf("after the refused rename, username = %q, want it unchanged", me.User.Username)
		}
	}
	if status, got := rename("Admin.After"); status != http.StatusOK || got != "Admin.After" {
		t.Errorf("PATCH /v1/me with the action restored: %d %s", status, got)
	}
}

func signIn(t *testing.T, s *Stack) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"loginAccount": s.Admin.LoginAccount, "password": s.Admin.Password})
	resp, err := http.Post(s.APIURL+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tokens struct{ AccessToken string }
	if err := json.NewDecoder(resp.Body).Decode(&tokens); err != nil || tokens.AccessToken == "" {
		t.Fatalf("sign-in: %s %v", resp.Status, err)
	}
	return tokens.AccessToken
}

// logHas waits a little for a function's log line: the gateway writes it as the function prints it.
func logHas(path, want string) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if data, _ := os.ReadFile(path); strings.Contains(string(data), want) {
			return true
		}
	}
	return false
}
