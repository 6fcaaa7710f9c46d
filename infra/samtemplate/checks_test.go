package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Functions that no route, no Cognito trigger and no stream calls, on purpose.
var invokeOnly = map[string]string{
	"BootstrapAdminFunction": "invoked once by an operator after the first deploy",
}

// Functions that call no AWS service at all, so their roles need nothing beyond the logging
// SAM adds: they declare no Policies.
var noAWSCalls = map[string]string{
	"OpenapiFunction": "answers the OpenAPI document embedded in its binary",
	"NoRouteFunction": "answers 404 and 405 from the OpenAPI document embedded in its binary",
	"ConsoleFunction": "serves the console's files embedded in its binary",
}

// These checks keep template.yaml, functions/ and the Makefile from drifting apart.
func TestTemplateMatchesRepository(t *testing.T) {
	t.Parallel()
	root, tmpl := repoTemplate(t)
	byDir := map[string]Function{}
	routes := map[string]string{}
	for _, fn := range tmpl.Functions {
		byDir[fn.Dir] = fn
		if !strings.HasSuffix(fn.LogicalID, "Function") {
			t.Errorf("%s: a function's logical id ends in Function (the Makefile's build-%%Function rule)", fn.LogicalID)
		}
		if fn.BuildMethod != "makefile" || fn.ContextPath != "." || fn.ProjectRoot != "." {
			t.Errorf("%s: Metadata BuildMethod %q, ContextPath %q, ProjectRootDirectory %q; want makefile, . and . (the root Makefile, run at the root)",
				fn.LogicalID, fn.BuildMethod, fn.ContextPath, fn.ProjectRoot)
		}
		if fn.CodeURI != fn.Dir {
			t.Errorf("%s: CodeUri is %q, want %s (the Makefile's build-%%Function rule builds that folder)", fn.LogicalID, fn.CodeURI, fn.Dir)
		}
		if _, err := os.Stat(filepath.Join(root, fn.Dir, "main.go")); err != nil {
			t.Errorf("%s: no %s/main.go", fn.LogicalID, fn.Dir)
		}
		_, callsNothing := noAWSCalls[fn.LogicalID]
		switch hasPolicies := fn.Policies != nil && len(fn.Policies.Content) > 0; {
		case !hasPolicies && !callsNothing:
			t.Errorf("%s: no Policies: give it the least privilege it needs", fn.LogicalID)
		case hasPolicies && callsNothing:
			t.Errorf("%s: listed in noAWSCalls but has Policies", fn.LogicalID)
		}
		if main, err := os.ReadFile(filepath.Join(root, fn.Dir, "main.go")); callsNothing && err == nil && strings.Contains(string(main), "app.Load") {
			t.Errorf("%s: listed in noAWSCalls but its main.go builds the app's AWS clients", fn.LogicalID)
		}
		_, isInvokeOnly := invokeOnly[fn.LogicalID]
		switch {
		case len(fn.Routes) == 0 && len(fn.Triggers) == 0 && len(fn.StreamEvents) == 0 && !isInvokeOnly:
			t.Errorf("%s: no route, no Cognito trigger, no stream event, and not listed as invoke-only in checks_test.go", fn.LogicalID)
		case isInvokeOnly && (len(fn.Routes) > 0 || len(fn.Triggers) > 0 || len(fn.StreamEvents) > 0):
			t.Errorf("%s: listed as invoke-only but has routes, triggers or stream events", fn.LogicalID)
		}
		for _, r := range fn.Routes {
			key := r.Method + " " + r.Path
			if other, dup := routes[key]; dup {
				t.Errorf("route %s belongs to both %s and %s", key, other, fn.LogicalID)
			}
			routes[key] = fn.LogicalID
		}
	}
	for id := range invokeOnly {
		if r, ok := tmpl.Resources[id]; !ok || r.Type != typeFunction {
			t.Errorf("checks_test.go lists %s as invoke-only, but the template has no such function", id)
		}
	}
	dirs, err := filepath.Glob(filepath.Join(root, "functions", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		rel := "functions/" + filepath.Base(d)
		if _, ok := byDir[rel]; !ok {
			t.Errorf("%s has no function resource in template.yaml (its logical id would be %sFunction)", rel, pascal(filepath.Base(d)))
		}
	}
}

// Every function logs, in JSON, to a log group of its own that the template declares and keeps
// LogRetentionDays, and so does the API's access log: none keeps logs for ever (Lambda's
// default group has no retention) or is left out of the KMS key.
func TestEveryLogGroupIsKept(t *testing.T) {
	t.Parallel()
	tmpl, err := Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{"AWS::StackName": "s", "KmsKeyArn": "arn:key"}
	logGroup := func(id string) map[string]any {
		r, ok := tmpl.Resources[id]
		if !ok || r.Type != "AWS::Logs::LogGroup" {
			return nil
		}
		props, err := tmpl.ResolveProperties(r, refs)
		if err != nil {
			t.Fatal(err)
		}
		return props
	}
	checkKept := func(what, id string, props map[string]any) {
		if referencedID(get(tmpl.Resources[id].Properties, "RetentionInDays")) != "LogRetentionDays" {
			t.Errorf("%s: log group %s: RetentionInDays is not !Ref LogRetentionDays", what, id)
		}
		if props["KmsKeyId"] != "arn:key" {
			t.Errorf("%s: log group %s: KmsKeyId is %v, want the KmsKeyArn parameter when it is set", what, id, props["KmsKeyId"])
		}
	}
	seen := map[string]string{}
	for _, fn := range tmpl.Functions {
		if fn.LogFormat != "JSON" {
			t.Errorf("%s: LoggingConfig.LogFormat is %q, want JSON (what internal/app's slog handler writes)", fn.LogicalID, fn.LogFormat)
		}
		id := referencedID(fn.LogGroup.node)
		props := logGroup(id)
		if props == nil {
			t.Errorf("%s: LoggingConfig.LogGroup is %s, want a !Ref to an AWS::Logs::LogGroup of the template", fn.LogicalID, fn.LogGroup)
			continue
		}
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s share log group %s: give each its own", other, fn.LogicalID, id)
		}
		seen[id] = fn.LogicalID
		if want := "/aws/lambda/s/" + strings.TrimPrefix(fn.Dir, "functions/"); props["LogGroupName"] != want {
			t.Errorf("%s: log group %s is named %v, want %s", fn.LogicalID, id, props["LogGroupName"], want)
		}
		checkKept(fn.LogicalID, id, props)
	}
	dest := referencedID(get(get(tmpl.HTTPAPI.Properties, "AccessLogSettings"), "DestinationArn"))
	if props := logGroup(dest); props == nil {
		t.Errorf("HttpApi: AccessLogSettings.DestinationArn is not a log group of the template")
	} else {
		checkKept("HttpApi access log", dest, props)
	}
}

// sam build runs `make build-<LogicalId>`: the Makefile must map every logical id to the same
// folder as FunctionDir does.
func TestMakefileBuildsEveryFunction(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not on PATH: sam build needs it too")
	}
	tmpl, err := Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range tmpl.Functions {
		cmd := exec.Command("make", "--no-print-directory", "-n", "build-"+fn.LogicalID, "ARTIFACTS_DIR=/artifacts")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("make -n build-%s: %v\n%s", fn.LogicalID, err, out)
			continue
		}
		want := fmt.Sprintf("-o \"/artifacts/bootstrap\" ./%s", fn.Dir)
		if s := string(out); !strings.Contains(s, want) || !strings.Contains(s, "GOARCH=arm64") {
			t.Errorf("make build-%s does not build %s for arm64:\n%s", fn.LogicalID, fn.Dir, s)
		}
	}
}

func pascal(kebab string) string {
	var b strings.Builder
	for _, w := range strings.Split(kebab, "-") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// Every alarm tells the alarm topic when it fires and when it clears, and the metric filters on
// the access log count fields the access log has: a field renamed in its format would leave
// an alarm silent for ever.
func TestAlarmsReachTheTopic(t *testing.T) {
	t.Parallel()
	tmpl, err := Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(tmpl.AccessLogFormat), &fields); err != nil {
		t.Fatalf("the access log format is not a JSON object: %v", err)
	}
	alarms := 0
	for id, r := range tmpl.Resources {
		switch r.Type {
		case "AWS::CloudWatch::Alarm":
			alarms++
			for _, key := range []string{"AlarmActions", "OKActions"} {
				list := items(get(r.Properties, key))
				if len(list) != 1 || referencedID(list[0]) != "AlarmTopic" {
					t.Errorf("%s: %s is not [!Ref AlarmTopic]", id, key)
				}
			}
		case "AWS::Logs::MetricFilter":
			if referencedID(get(r.Properties, "LogGroupName")) != "ApiAccessLogs" {
				continue
			}
			pattern := scalar(get(r.Properties, "FilterPattern"))
			used := regexp.MustCompile(`\$\.([A-Za-z0-9_]+)`).FindAllStringSubmatch(pattern, -1)
			if len(used) == 0 {
				t.Errorf("%s: FilterPattern %q names no JSON field", id, pattern)
			}
			for _, m := range used {
				if _, ok := fields[m[1]]; !ok {
					t.Errorf("%s: FilterPattern counts $.%s, which the access log does not write", id, m[1])
				}
			}
		}
	}
	if alarms == 0 {
		t.Error("no alarms")
	}
}

// repoTemplate loads the repository's own template.yaml, and answers the repository's root.
func repoTemplate(t *testing.T) (string, *Template) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return root, tmpl
}
