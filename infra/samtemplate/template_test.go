package samtemplate

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const sample = `
Parameters:
  SenderEmail: {Type: String}
  Days: {Type: Number, Default: 180}
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        DAYS: !Ref Days
        SHARED: global
Resources:
  Table: {Type: AWS::DynamoDB::Table, Properties: {BillingMode: PAY_PER_REQUEST}}
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: !Sub "${AWS::StackName}-users"
      LambdaConfig:
        PostAuthentication: !GetAtt AfterSignInFunction.Arn
        PreAuthentication: !Sub "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-before"
  Client: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref Pool, ClientName: console}}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            JwtConfiguration:
              issuer: !Sub "https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}"
              audience: [!Ref Client]
  ListUsersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 3
      Environment:
        Variables:
          SHARED: own
          ARN: !GetAtt Pool.Arn
      Policies: [AWSLambdaBasicExecutionRole]
      Events:
        List: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: get, Path: /v1/users, Auth: {AuthorizationScopes: [users/read]}}}
        Login: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: POST, Path: /v1/login, Auth: {Authorizer: NONE}}}
  AfterSignInFunction:
    Type: AWS::Serverless::Function
  BeforeSignInFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-before"
  GetMFADevicesFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Trig: {Type: Cognito, Properties: {UserPool: !Ref Pool, Trigger: PreTokenGeneration}}
`

func TestParse(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Functions) != 4 {
		t.Fatalf("functions: %+v", tmpl.Functions)
	}
	fns := map[string]Function{}
	for _, f := range tmpl.Functions {
		fns[f.LogicalID] = f
	}
	list := fns["ListUsersFunction"]
	if list.Dir != "functions/list-users" || list.Timeout != 3*time.Second || list.MemorySize != 256 || list.Policies == nil {
		t.Errorf("ListUsersFunction: %+v", list)
	}
	want := []Route{
		{Method: "POST", Path: "/v1/login", Public: true},
		{Method: "GET", Path: "/v1/users", Scopes: []string{"users/read"}},
	}
	if got := list.Routes; len(got) != 2 || got[0].Method != want[0].Method || got[0].Path != want[0].Path ||
		!got[0].Public || got[1].Public || got[1].Method != "GET" || strings.Join(got[1].Scopes, ",") != "users/read" {
		t.Errorf("routes = %+v, want %+v", got, want)
	}
	if got := fns["AfterSignInFunction"].Triggers; strings.Join(got, ",") != "PostAuthentication" {
		t.Errorf("LambdaConfig trigger: %v", got)
	}
	if got := fns["BeforeSignInFunction"].Triggers; strings.Join(got, ",") != "PreAuthentication" {
		t.Errorf("LambdaConfig trigger by FunctionName: %v", got)
	}
	if got := fns["GetMFADevicesFunction"]; got.Dir != "functions/get-mfa-devices" || strings.Join(got.Triggers, ",") != "PreTokenGeneration" {
		t.Errorf("Cognito event trigger: %+v", got)
	}
	if fns["AfterSignInFunction"].Policies != nil {
		t.Error("a function without Policies has some")
	}

	refs := map[string]string{"Table": "t1", "Pool": "us-east-1_x", "Pool.Arn": "arn:pool", "Client": "c1", "AWS::Region": "us-east-1"}
	env := map[string]string{}
	for k, v := range list.Env {
		if env[k], err = tmpl.Resolve(v, refs); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	if env["TABLE_NAME"] != "t1" || env["DAYS"] != "180" || env["SHARED"] != "own" || env["ARN"] != "arn:pool" {
		t.Errorf("env = %v", env)
	}
	if iss, err := tmpl.Resolve(tmpl.JWT.Issuer, refs); err != nil || iss != "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x" {
		t.Errorf("issuer = %q, %v", iss, err)
	}
	if aud, err := tmpl.Resolve(tmpl.JWT.Audience[0], refs); err != nil || aud != "c1" {
		t.Errorf("audience = %q, %v", aud, err)
	}
	if tmpl.Table.LogicalID != "Table" || tmpl.UserPool.LogicalID != "Pool" || tmpl.UserPoolClient.LogicalID != "Client" {
		t.Errorf("resources: %s %s %s", tmpl.Table.LogicalID, tmpl.UserPool.LogicalID, tmpl.UserPoolClient.LogicalID)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse([]byte(`
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
  NotDev: !Not [!Condition IsDev]
  Both: !And [{Condition: IsDev}, !Equals [a, a]]
  Either: {"Fn::Or": [!Condition NotDev, !Equals [a, b]]}
  Loop: !Condition Loop
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      Dropped: !If [IsDev, !Ref AWS::NoValue, 1]
      List: [a, !If [NotDev, b, !Ref AWS::NoValue], !If [IsDev, c, d]]
      Tree: !If [Both, {k: !Ref Stage}, 2]
  P: {Type: AWS::Cognito::UserPool}
  C: {Type: AWS::Cognito::UserPoolClient}
  A:
    Type: AWS::Serverless::HttpApi
    Properties: {Auth: {DefaultAuthorizer: J, Authorizers: {J: {JwtConfiguration: {Issuer: x, Audience: [y]}}}}}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          REF: !Ref T
          REF_LONG: {Ref: T}
          PARAM_DEFAULT: !Ref Stage
          SUB: !Sub "${AWS::StackName}-${T}-${P.Arn}-${!Literal}"
          SUB_VARS: !Sub ["${a}/${T}", {a: !Ref Stage}]
          SUB_LONG: {"Fn::Sub": "x-${T}"}
          GETATT_LIST: !GetAtt [P, Arn]
          GETATT_LONG: {"Fn::GetAtt": [P, Arn]}
          JOIN: !Join [",", [a, !Ref T, !Sub "${Stage}"]]
          SELECT: !Select [1, [a, !Ref T]]
          SELECT_SPLIT: !Select [1, !Split ["@", !Sub "no-reply@${T}.example"]]
          SUB_SELECT: !Sub ["id/${D}", {D: !Select [0, !Split [",", "x,y"]]}]
          SELECT_OUT: !Select [2, !Split ["@", "a@b"]]
          SPLIT_ALONE: !Split ["@", "a@b"]
          LITERAL: 42
          MISSING: !Ref Nowhere
          IF_TRUE: !If [IsDev, !Sub "${Stage}!", no]
          IF_NOT: !If [NotDev, yes, no]
          IF_AND: !If [Both, yes, no]
          IF_OR: {"Fn::If": [Either, yes, no]}
          IF_UNKNOWN: !If [c, a, b]
          IF_LOOP: !If [Loop, a, b]
          UNSUPPORTED: !Base64 x
`))
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{"T": "table", "P.Arn": "arn:p", "AWS::StackName": "s"}
	want := map[string]string{
		"REF": "table", "REF_LONG": "table", "PARAM_DEFAULT": "dev",
		"SUB": "s-table-arn:p-${Literal}", "SUB_VARS": "dev/table", "SUB_LONG": "x-table",
		"GETATT_LIST": "arn:p", "GETATT_LONG": "arn:p", "JOIN": "a,table,dev", "SELECT": "table", "LITERAL": "42",
		"SELECT_SPLIT": "table.example", "SUB_SELECT": "id/x",
		"IF_TRUE": "dev!", "IF_NOT": "no", "IF_AND": "yes", "IF_OR": "no",
	}
	env := tmpl.Functions[0].Env
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			got, err := tmpl.Resolve(env[name], refs)
			if err != nil || got != w {
				t.Errorf("= %q, %v; want %q", got, err, w)
			}
		})
	}
	for _, name := range []string{"MISSING", "UNSUPPORTED", "SELECT_OUT", "SPLIT_ALONE", "IF_UNKNOWN", "IF_LOOP"} {
		if got, err := tmpl.Resolve(env[name], refs); err == nil {
			t.Errorf("%s resolved to %q, want an error", name, got)
		}
	}
	// In a tree Fn::If picks a whole branch, and AWS::NoValue drops its key or item.
	props, err := tmpl.ResolveProperties(tmpl.Table, refs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(props), "map[List:[a c] Tree:map[k:dev]]"; got != want {
		t.Errorf("properties = %s, want %s", got, want)
	}
	props, err = tmpl.ResolveProperties(tmpl.Table, map[string]string{"Stage": "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(props), "map[Dropped:1 List:[a b d] Tree:2]"; got != want {
		t.Errorf("with Stage=prod, properties = %s, want %s", got, want)
	}
}

func TestResolveProperties(t *testing.T) {
	t.Parallel()
	tmpl, err := Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	props, err := tmpl.ResolveProperties(tmpl.UserPoolClient, map[string]string{"UserPool": "pool-1"})
	if err != nil {
		t.Fatal(err)
	}
	if props["UserPoolId"] != "pool-1" || props["GenerateSecret"] != true || props["AccessTokenValidity"] != 60 {
		t.Errorf("client properties: %v", props)
	}
	if _, err := tmpl.ResolveProperties(tmpl.UserPoolClient, nil); err == nil {
		t.Error("an unresolvable !Ref gave no error")
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	base := `
Resources:
  T: {Type: AWS::DynamoDB::Table}
  P: {Type: AWS::Cognito::UserPool}
  C: {Type: AWS::Cognito::UserPoolClient}
  A:
    Type: AWS::Serverless::HttpApi
    Properties: {Auth: {DefaultAuthorizer: J, Authorizers: {J: {JwtConfiguration: {issuer: x, audience: [y]}}}}}
`
	for name, extra := range map[string]string{
		"no path":         "  F: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: HttpApi, Properties: {ApiId: !Ref A, Method: GET}}}}}",
		"other api":       "  F: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: HttpApi, Properties: {ApiId: !Ref B, Method: GET, Path: /x}}}}}",
		"other authz":     "  F: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: HttpApi, Properties: {ApiId: !Ref A, Method: GET, Path: /x, Auth: {Authorizer: K}}}}}}",
		"unknown event":   "  F: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: SQS, Properties: {}}}}}",
		"two tables":      "  T2: {Type: AWS::DynamoDB::Table}",
		"bad timeout":     "  F: {Type: AWS::Serverless::Function, Properties: {Timeout: soon}}",
		"second http api": "  B: {Type: AWS::Serverless::HttpApi}",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := Parse([]byte(base + extra + "\n")); err == nil {
				t.Error("no error")
			}
		})
	}
	if _, err := Parse([]byte(base)); err != nil {
		t.Errorf("the base template itself fails: %v", err)
	}
}

func TestFunctionDir(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"LoginFunction":          "functions/login",
		"GetMeFunction":          "functions/get-me",
		"BootstrapAdminFunction": "functions/bootstrap-admin",
		"DeleteUserMFAFunction":  "functions/delete-user-mfa",
		"ListMFADevicesFunction": "functions/list-mfa-devices",
		"GetV2UserFunction":      "functions/get-v2-user",
	} {
		if got := FunctionDir(id); got != want {
			t.Errorf("FunctionDir(%s) = %s, want %s", id, got, want)
		}
	}
}
