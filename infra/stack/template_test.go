package stack

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
)

// The template's throttles reach the gateway with the overrides applied, and a misspelt
// override is refused rather than ignored.
func TestParametersAndThrottles(t *testing.T) {
	t.Parallel()
	root, err := provision.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	param := func(name string) float64 {
		v, err := strconv.ParseFloat(tmpl.Parameters[name].Default, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	const login = "POST /v1/auth/login"
	tests := []struct {
		name        string
		overrides   map[string]string
		wantErr     bool
		defaultRate float64
		loginRate   float64
		loginBurst  int
	}{
		{
			name:        "template defaults",
			defaultRate: param("ApiThrottleRateLimit"),
			loginRate:   param("PublicRouteThrottleRateLimit"), loginBurst: int(param("PublicRouteThrottleBurstLimit")),
		},
		{
			name:        "overrides",
			overrides:   map[string]string{"ApiThrottleRateLimit": "7", "PublicRouteThrottleRateLimit": "0.5", "PublicRouteThrottleBurstLimit": "3"},
			defaultRate: 7, loginRate: 0.5, loginBurst: 3,
		},
		{name: "unknown parameter", overrides: map[string]string{"ApiThrottleRate": "7"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkParameters(tmpl, tc.overrides)
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			th, err := gatewayThrottles(tmpl, tc.overrides)
			if err != nil {
				t.Fatal(err)
			}
			if th.Default == nil || th.Default.Rate != tc.defaultRate {
				t.Errorf("default throttle %+v, want rate %v", th.Default, tc.defaultRate)
			}
			if got := th.Routes[login]; got.Rate != tc.loginRate || got.Burst != tc.loginBurst {
				t.Errorf("%s throttle %+v, want rate %v burst %d", login, got, tc.loginRate, tc.loginBurst)
			}
		})
	}
}
