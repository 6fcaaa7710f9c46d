// Package app is the composition root: it reads the configuration every function
// gets from its environment and builds each dependency once per container.
package app

import (
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/xray"
)

// Config is what template.yaml gives every function in its environment.
type Config struct {
	TableName   string
	UserPoolID  string
	ClientID    string
	SenderEmail string
	// ConsoleURL is the base of the links Roster writes; empty (the default) for the
	// address each request came in on, where Roster serves its own console.
	ConsoleURL          string
	LoginEventRetention time.Duration
	// Tracing is template.yaml's Tracing parameter (TRACING) being Active: the SDK
	// clients' calls are then subsegments of the invocation's X-Ray trace. Optional:
	// unset is off.
	Tracing bool
}

// ConfigFromEnv reads Config, naming every missing variable at once.
func ConfigFromEnv() (Config, error) {
	var missing []error
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, fmt.Errorf("%s is not set", name))
		}
		return v
	}
	c := Config{
		TableName:   get("TABLE_NAME"),
		UserPoolID:  get("USER_POOL_ID"),
		ClientID:    get("USER_POOL_CLIENT_ID"),
		SenderEmail: get("SENDER_EMAIL"),
		ConsoleURL:  os.Getenv("CONSOLE_URL"), // may be empty: see Config
		Tracing:     os.Getenv("TRACING") == xray.Active,
	}
	days, err := strconv.Atoi(get("LOGIN_EVENT_RETENTION_DAYS"))
	if err != nil || days < 1 {
		missing = append(missing, errors.New("LOGIN_EVENT_RETENTION_DAYS must be a whole number of days"))
	}
	c.LoginEventRetention = time.Duration(days) * 24 * time.Hour
	return c, errors.Join(missing...)
}

// App holds what every operation may use: the configuration, the table and the
// clock. A client only some operations call (Cognito, SES) is built from SDK in
// their functions' main.go and given to those operations' constructors, so no other
// function links its package, whose initialisation every cold start would pay.
type App struct {
	Config
	Store *store.Store
	Now   func() time.Time
	// SDK is the AWS configuration from Lambda's environment, for those clients.
	SDK aws.Config
}

// FromEnv builds the App from the environment. It makes no network call: SDK
// clients connect on first use.
func FromEnv() (*App, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	sdk := lambdaConfig()
	if cfg.Tracing {
		if err := xray.Instrument(&sdk); err != nil {
			return nil, err
		}
	}
	return &App{
		Config: cfg,
		Store:  store.New(dynamodb.NewFromConfig(sdk, func(o *dynamodb.Options) { o.BaseEndpoint = Endpoint("DYNAMODB") }), cfg.TableName),
		Now:    time.Now,
		SDK:    sdk,
	}, nil
}

// Load is FromEnv for a function's init, with Lambda's JSON logger: a function
// without its configuration cannot serve anything, so a missing variable ends it,
// and Lambda reports the init failure with the variables' names.
func Load() *App {
	slog.SetDefault(lambdacontext.NewLogger())
	a, err := FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	return a
}

// lambdaConfig returns the SDK configuration from what Lambda puts in every
// function's environment: the region and the execution role's credentials. The SDK's
// config.LoadDefaultConfig finds the same, but links every credential provider (SSO,
// STS, IMDS, ...) into each binary, at a cost to every cold start.
func lambdaConfig() aws.Config {
	return aws.Config{
		Region: os.Getenv("AWS_REGION"),
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))),
	}
}

// Endpoint is a service's endpoint override from AWS_ENDPOINT_URL_<SERVICE> or
// AWS_ENDPOINT_URL, as the SDK reads them; nil for the service's own (on AWS).
func Endpoint(service string) *string {
	for _, name := range []string{"AWS_ENDPOINT_URL_" + service, "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(name); v != "" {
			return &v
		}
	}
	return nil
}
