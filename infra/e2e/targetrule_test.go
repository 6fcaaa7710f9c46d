package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// targetRuleCase is one row of the target rule that reset password, delete, freeze,
// recover and unbind email share (SPEC.md section 1): the super admin acts on anyone
// but itself, a platform admin on members only, a member on no one.
type targetRuleCase struct {
	name        string
	client      Client
	accountType string // of a fresh target the test makes; "" means target
	target      string
	allowed     bool
	status      int // when refused
	code        string
}

// targetRuleCases returns the rule's rows, with a platform admin and a member of their own.
func targetRuleCases(t *testing.T) []targetRuleCase {
	t.Helper()
	root := superAdmin(t)
	rootID := selfID(t, root)
	adminID, _, admin := newUser(t, root, "platform_admin")
	_, _, member := newUser(t, root, "member")
	forbidden := func(name string, c Client, accountType, target string) targetRuleCase {
		return targetRuleCase{name, c, accountType, target, false, http.StatusForbidden, "forbidden"}
	}
	return []targetRuleCase{
		{name: "super admin on a member", client: root, accountType: "member", allowed: true},
		{name: "super admin on a platform admin", client: root, accountType: "platform_admin", allowed: true},
		forbidden("super admin on itself", root, "", rootID),
		{name: "platform admin on a member", client: admin, accountType: "member", allowed: true},
		forbidden("platform admin on a platform admin", admin, "platform_admin", ""),
		forbidden("platform admin on itself", admin, "", adminID),
		forbidden("platform admin on the super admin", admin, "", rootID),
		forbidden("member on a member", member, "member", ""),
		{name: "unknown id", client: root, target: strings.Repeat("a", 26), status: http.StatusNotFound, code: "not_found"},
		// A member is refused before the id is looked up: it learns nothing of which exist.
		forbidden("member on an unknown id", member, "", strings.Repeat("a", 26)),
	}
}

// expect checks a route's answer to the row: success when allowed, else its refusal.
func (c targetRuleCase) expect(t *testing.T, r replied, success int) {
	t.Helper()
	if c.allowed {
		expect(t, r, success, "")
		return
	}
	expect(t, r, c.status, c.code)
}
