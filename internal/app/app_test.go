package app

import (
	"context"
	"testing"
)

// TestLambdaConfig: the region, credentials and endpoint overrides come from the
// variables Lambda (or the local stack) sets, as config.LoadDefaultConfig read them.
func TestLambdaConfig(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	t.Setenv("AWS_SESSION_TOKEN", "TOKEN")
	cfg := lambdaConfig()
	if cfg.Region != "eu-west-1" {
		t.Errorf("region %q", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "SECRET" || creds.SessionToken != "TOKEN" {
		t.Errorf("credentials %+v, %v", creds, err)
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		name             string
		general, service string
		want             string // "" for none
	}{
		{"none", "", "", ""},
		{"service variable", "", "http://127.0.0.1:1", "http://127.0.0.1:1"},
		{"general variable", "http://127.0.0.1:2", "", "http://127.0.0.1:2"},
		{"service wins", "http://127.0.0.1:2", "http://127.0.0.1:1", "http://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tt.general)
			t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", tt.service)
			got := Endpoint("DYNAMODB")
			switch {
			case tt.want == "" && got != nil:
				t.Errorf("endpoint = %q, want none", *got)
			case tt.want != "" && (got == nil || *got != tt.want):
				t.Errorf("endpoint = %v, want %q", got, tt.want)
			}
		})
	}
}

// TestConfigConsoleURLMayBeEmpty: CONSOLE_URL is optional (links then use the
// request's own address), every other variable is required.
func TestConfigConsoleURLMayBeEmpty(t *testing.T) {
	for name, v := range map[string]string{"TABLE_NAME": "t", "USER_POOL_ID": "p", "USER_POOL_CLIENT_ID": "c",
		"SENDER_EMAIL": "s@example.com", "LOGIN_EVENT_RETENTION_DAYS": "30", "CONSOLE_URL": ""} {
		t.Setenv(name, v)
	}
	c, err := ConfigFromEnv()
	if err != nil || c.ConsoleURL != "" {
		t.Fatalf("config %+v, %v", c, err)
	}
	t.Setenv("CONSOLE_URL", "https://console.example.com")
	if c, err = ConfigFromEnv(); err != nil || c.ConsoleURL != "https://console.example.com" {
		t.Fatalf("config %+v, %v", c, err)
	}
	t.Setenv("TABLE_NAME", "")
	if _, err = ConfigFromEnv(); err == nil {
		t.Fatal("no TABLE_NAME was accepted")
	}
}
