package gateway

import (
	"maps"
	"testing"
)

func TestRouterMatch(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{Method: "GET", Path: "/"},
		{Method: "GET", Path: "/v1/users"},
		{Method: "POST", Path: "/v1/users"},
		{Method: "GET", Path: "/v1/users/me"},
		{Method: "GET", Path: "/v1/users/{id}"},
		{Method: "DELETE", Path: "/v1/users/{id}"},
		{Method: "GET", Path: "/v1/users/{id}/roles/{role}"},
		{Method: "ANY", Path: "/v1/teams/{id}"},
		{Method: "GET", Path: "/v1/teams/{id}"},
		{Method: "GET", Path: "/files/{proxy+}"},
		{Method: "GET", Path: "/files/special/{name}"},
	}
	rt, err := newRouter(nil, []Function{{Name: "F", Routes: routes}})
	if err != nil {
		t.Fatal(err)
	}
	withDefault, err := newRouter(nil, []Function{{Name: "F", Routes: append([]Route{{Path: "$default"}}, routes...)}})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		router     *router
		method     string
		path       string
		wantKey    string // "" = no match
		wantParams map[string]string
	}{
		{"root", rt, "GET", "/", "GET /", nil},
		{"exact", rt, "GET", "/v1/users", "GET /v1/users", nil},
		{"method picks the route", rt, "POST", "/v1/users", "POST /v1/users", nil},
		{"exact beats parameter", rt, "GET", "/v1/users/me", "GET /v1/users/me", nil},
		{"parameter", rt, "GET", "/v1/users/u-1", "GET /v1/users/{id}", map[string]string{"id": "u-1"}},
		{"parameter is decoded", rt, "GET", "/v1/users/a%20b%2Fc", "GET /v1/users/{id}", map[string]string{"id": "a b/c"}},
		{"parameter for another method", rt, "DELETE", "/v1/users/me", "DELETE /v1/users/{id}", map[string]string{"id": "me"}},
		{"two parameters", rt, "GET", "/v1/users/u-1/roles/admin", "GET /v1/users/{id}/roles/{role}", map[string]string{"id": "u-1", "role": "admin"}},
		{"named method beats ANY", rt, "GET", "/v1/teams/t", "GET /v1/teams/{id}", map[string]string{"id": "t"}},
		{"ANY takes other methods", rt, "PATCH", "/v1/teams/t", "ANY /v1/teams/{id}", map[string]string{"id": "t"}},
		{"greedy", rt, "GET", "/files/a/b/c.txt", "GET /files/{proxy+}", map[string]string{"proxy": "a/b/c.txt"}},
		{"parameter beats greedy", rt, "GET", "/files/special/x", "GET /files/special/{name}", map[string]string{"name": "x"}},
		{"greedy needs a segment", rt, "GET", "/files/", "", nil},
		{"no method", rt, "PUT", "/v1/users", "", nil},
		{"empty parameter", rt, "GET", "/v1/users/", "", nil},
		{"too long", rt, "GET", "/v1/users/u/x", "", nil},
		{"case sensitive", rt, "GET", "/V1/users", "", nil},
		{"unknown", rt, "GET", "/nope", "", nil},
		{"default catches the rest", withDefault, "PUT", "/anything/at/all", "$default", nil},
		{"routes beat default", withDefault, "GET", "/v1/users", "GET /v1/users", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, params := tc.router.match(tc.method, tc.path)
			if tc.wantKey == "" {
				if got != nil {
					t.Fatalf("matched %q, want no route", got.key)
				}
				return
			}
			if got == nil {
				t.Fatalf("no route, want %q", tc.wantKey)
			}
			if got.key != tc.wantKey {
				t.Errorf("route %q, want %q", got.key, tc.wantKey)
			}
			if !maps.Equal(params, tc.wantParams) {
				t.Errorf("params %v, want %v", params, tc.wantParams)
			}
		})
	}
}

func TestRouterRejectsBadRoutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		routes []Route
	}{
		{"no leading slash", []Route{{Method: "GET", Path: "v1"}}},
		{"greedy not last", []Route{{Method: "GET", Path: "/{proxy+}/x"}}},
		{"mixed segment", []Route{{Method: "GET", Path: "/v1/a{id}"}}},
		{"empty variable", []Route{{Method: "GET", Path: "/v1/{}"}}},
		{"variable twice", []Route{{Method: "GET", Path: "/{id}/{id}"}}},
		{"duplicate", []Route{{Method: "GET", Path: "/v1"}, {Method: "get", Path: "/v1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := newRouter(nil, []Function{{Name: "F", Routes: tc.routes}}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
