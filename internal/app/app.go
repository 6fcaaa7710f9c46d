// Package app is the composition root: it reads the configuration every function
// gets from its environment and builds each dependency once per container.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
)

// Config is what template.yaml gives every function in its environment.
type Config struct {
	TableName           string
	UserPoolID          string
	ClientID            string
	SenderEmail         string
	ConsoleURL          string
	LoginEventRetention time.Duration
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
		ConsoleURL:  get("CONSOLE_URL"),
	}
	days, err := strconv.Atoi(get("LOGIN_EVENT_RETENTION_DAYS"))
	if err != nil || days < 1 {
		missing = append(missing, errors.New("LOGIN_EVENT_RETENTION_DAYS must be a whole number of days"))
	}
	c.LoginEventRetention = time.Duration(days) * 24 * time.Hour
	return c, errors.Join(missing...)
}

// App holds every dependency an operation may use. Building it makes no network
// call: SDK clients connect on first use.
type App struct {
	Config
	Store    *store.Store
	Identity *identity.Cognito
	Mail     mail.Sender
	Accounts *accounts.Accounts
	Now      func() time.Time
}

// Load builds the App from the environment, for a function's init.
func Load(ctx context.Context) (*App, error) {
	slog.SetDefault(lambdacontext.NewLogger())
	cfg, err := ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	sdk := lambdaConfig()
	db := store.New(dynamodb.NewFromConfig(sdk, func(o *dynamodb.Options) { o.BaseEndpoint = endpoint("DYNAMODB") }), cfg.TableName)
	cognito := identity.New(cip.NewFromConfig(sdk, func(o *cip.Options) { o.BaseEndpoint = endpoint("COGNITO_IDENTITY_PROVIDER") }), cfg.UserPoolID, cfg.ClientID)
	return &App{
		Config:   cfg,
		Store:    db,
		Identity: cognito,
		Mail:     mail.NewSES(sesv2.NewFromConfig(sdk, func(o *sesv2.Options) { o.BaseEndpoint = endpoint("SESV2") }), cfg.SenderEmail),
		Accounts: accounts.New(db, cognito),
		Now:      time.Now,
	}, nil
}

// lambdaConfig is the SDK configuration from what Lambda puts in every function's
// environment: the region and the execution role's credentials. The SDK's
// config.LoadDefaultConfig would find the same, but it links and initialises every
// credential provider (SSO, STS, IMDS, ...) in each binary, which doubled the
// functions' cold-start init next to a bare aws-lambda-go binary.
func lambdaConfig() aws.Config {
	return aws.Config{
		Region: os.Getenv("AWS_REGION"),
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))),
	}
}

// endpoint is a service's endpoint override from AWS_ENDPOINT_URL_<SERVICE> or
// AWS_ENDPOINT_URL, as the SDK reads them; nil for the service's own (on AWS).
func endpoint(service string) *string {
	for _, name := range []string{"AWS_ENDPOINT_URL_" + service, "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(name); v != "" {
			return &v
		}
	}
	return nil
}
