package samtemplate

import (
	"reflect"
	"testing"
)

func TestThrottles(t *testing.T) {
	t.Parallel()
	// api is the HttpApi's properties besides Auth; the function has two routes.
	template := func(api string) string {
		return `
Parameters:
  Rate: {Type: Number, Default: 100}
  Burst: {Type: Number, Default: 200}
  NoDefault: {Type: Number}
Resources:
  T: {Type: AWS::DynamoDB::Table}
  P: {Type: AWS::Cognito::UserPool}
  C: {Type: AWS::Cognito::UserPoolClient}
  A:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth: {DefaultAuthorizer: J, Authorizers: {J: {JwtConfiguration: {issuer: x, audience: [y]}}}}
` + api + `
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref A, Method: get, Path: /a, Auth: {Authorizer: NONE}}}
        Post: {Type: HttpApi, Properties: {ApiId: !Ref A, Method: POST, Path: /b}}
`
	}
	tests := []struct {
		name    string
		api     string
		refs    map[string]string
		want    Throttles
		wantErr bool
	}{
		{name: "none", want: Throttles{}},
		{
			name: "literal default",
			api:  "      DefaultRouteSettings: {ThrottlingRateLimit: 10, ThrottlingBurstLimit: 5}",
			want: Throttles{Default: &Throttle{Rate: 10, Burst: 5}},
		},
		{
			name: "parameters take their defaults",
			api:  "      DefaultRouteSettings: {ThrottlingRateLimit: !Ref Rate, ThrottlingBurstLimit: !Ref Burst}",
			want: Throttles{Default: &Throttle{Rate: 100, Burst: 200}},
		},
		{
			name: "refs override parameters",
			api:  "      DefaultRouteSettings: {ThrottlingRateLimit: !Ref Rate, ThrottlingBurstLimit: !Ref Burst}",
			refs: map[string]string{"Rate": "2.5", "Burst": "7"},
			want: Throttles{Default: &Throttle{Rate: 2.5, Burst: 7}},
		},
		{
			name: "route settings by route key",
			api: `      DefaultRouteSettings: {ThrottlingRateLimit: !Ref Rate, ThrottlingBurstLimit: !Ref Burst}
      RouteSettings:
        "GET /a": {ThrottlingRateLimit: 1, ThrottlingBurstLimit: !Ref Burst}
        "POST /b": {DetailedMetricsEnabled: true}`,
			refs: map[string]string{"Burst": "3"},
			want: Throttles{Default: &Throttle{Rate: 100, Burst: 3}, Routes: map[string]Throttle{"GET /a": {Rate: 1, Burst: 3}}},
		},
		{
			name: "zero blocks, as API Gateway takes it",
			api:  "      RouteSettings: {\"POST /b\": {ThrottlingRateLimit: 0, ThrottlingBurstLimit: 0}}",
			want: Throttles{Routes: map[string]Throttle{"POST /b": {}}},
		},
		{
			name: "settings without a throttle",
			api:  "      DefaultRouteSettings: {DetailedMetricsEnabled: true}",
			want: Throttles{},
		},
		{name: "unknown route", api: "      RouteSettings: {\"GET /b\": {ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1}}", wantErr: true},
		{name: "rate without burst", api: "      DefaultRouteSettings: {ThrottlingRateLimit: 1}", wantErr: true},
		{name: "burst without rate", api: "      RouteSettings: {\"GET /a\": {ThrottlingBurstLimit: 1}}", wantErr: true},
		{name: "negative rate", api: "      DefaultRouteSettings: {ThrottlingRateLimit: -1, ThrottlingBurstLimit: 1}", wantErr: true},
		{name: "fractional burst", api: "      DefaultRouteSettings: {ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1.5}", wantErr: true},
		{
			name:    "override that is not a number",
			api:     "      DefaultRouteSettings: {ThrottlingRateLimit: !Ref Rate, ThrottlingBurstLimit: 1}",
			refs:    map[string]string{"Rate": "fast"},
			wantErr: true,
		},
		{name: "parameter without a value", api: "      DefaultRouteSettings: {ThrottlingRateLimit: !Ref NoDefault, ThrottlingBurstLimit: 1}", wantErr: true},
		{name: "unresolved intrinsic", api: "      DefaultRouteSettings: {ThrottlingRateLimit: !If [c, 1, 2], ThrottlingBurstLimit: 1}", wantErr: true},
		{name: "settings not a mapping", api: "      DefaultRouteSettings: !Ref Rate", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := Parse([]byte(template(tc.api)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tmpl.Throttles(tc.refs)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error; got %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v (default %+v), want %+v (default %+v)", got, got.Default, tc.want, tc.want.Default)
			}
		})
	}
}

func TestRouteKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		route Route
		want  string
	}{
		{Route{Method: "POST", Path: "/v1/auth/login"}, "POST /v1/auth/login"},
		{Route{Method: "ANY", Path: "/files/{proxy+}"}, "ANY /files/{proxy+}"},
		{Route{Method: "ANY", Path: "$default"}, "$default"},
	} {
		if got := tc.route.Key(); got != tc.want {
			t.Errorf("%+v.Key() = %q, want %q", tc.route, got, tc.want)
		}
	}
}

// template.yaml gives every route without an authorizer the smaller public throttle, and its
// function the optional reserved concurrency; no other route or function gets either.
func TestTemplateThrottlesPublicRoutes(t *testing.T) {
	t.Parallel()
	tmpl, err := Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	th, err := tmpl.Throttles(nil)
	if err != nil {
		t.Fatal(err)
	}
	if th.Default == nil {
		t.Fatal("no DefaultRouteSettings throttle: every route would be limited only by the account")
	}
	public := map[string]bool{}
	for _, fn := range tmpl.Functions {
		hasPublic := false
		for _, r := range fn.Routes {
			if r.Public {
				public[r.Key()], hasPublic = true, true
			}
		}
		reserved := get(tmpl.Resources[fn.LogicalID].Properties, "ReservedConcurrentExecutions") != nil
		if hasPublic != reserved {
			t.Errorf("%s: public route %v, ReservedConcurrentExecutions %v: want both or neither", fn.LogicalID, hasPublic, reserved)
		}
	}
	for key := range public {
		rt, ok := th.Routes[key]
		switch {
		case !ok:
			t.Errorf("public route %s has no RouteSettings throttle", key)
		case rt.Rate > th.Default.Rate || rt.Burst > th.Default.Burst:
			t.Errorf("public route %s: throttle %+v is looser than the default %+v", key, rt, *th.Default)
		}
	}
	for key := range th.Routes {
		if !public[key] {
			t.Errorf("RouteSettings throttles %s, which has an authorizer", key)
		}
	}
}
