// Package stack runs Roster's whole local stack: the emulators, the table and user pool made
// from template.yaml, the real function binaries behind the local gateway, a bootstrapped super
// admin, and a JSON view of the sent mail. infra/cmd/stack drives it for `make dev` and
// `make test`.
package stack

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cognito "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/roster-dev/roster/infra/emulator"
	"github.com/roster-dev/roster/infra/gateway"
	"github.com/roster-dev/roster/infra/iam"
	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
	"github.com/roster-dev/roster/infra/streams"
	"github.com/roster-dev/roster/internal/store/tabledef"
)

// Local values for what the template leaves to the deployment.
const (
	Region    = "us-east-1"    // moto's tokens name this region in their issuer
	AccountID = "123456789012" // moto's, in the pool's ARN
	// AccessKeyID is the stack's own key (provisioning, tests, the bench's direct calls): the
	// emulators accept any credentials and the IAM proxies let this one through unchecked.
	// Each function signs with its logical id instead, and is checked (see infra/iam).
	AccessKeyID    = "local"
	SecretKey      = "local"
	stackName      = "roster-local"
	tableName      = "roster"
	senderEmail    = "no-reply@roster.local"
	consoleURL     = "" // links use the address each request came in on, as on a default deploy
	bootstrapID    = "BootstrapAdminFunction"
	stopGrace      = 5 * time.Second
	bootstrapLimit = 60 * time.Second
)

// Options configures a stack. Zero ports are picked free.
type Options struct {
	Root     string // repository root: template.yaml, Makefile, .tools/
	StateDir string // logs/ go here
	Ports    Ports
	Admin    Admin     // the super admin to bootstrap; a random password when Password is ""
	Progress io.Writer // one line per step; nil for none
	// GatewayLog receives the gateway's and the functions' log lines; nil for logs/gateway.log only.
	GatewayLog io.Writer
	// Parameters override template parameters by name, as `sam deploy --parameter-overrides`
	// does, wherever the stack resolves the template (environment, policies, throttles).
	Parameters map[string]string
	// ServiceURL, when set, chooses the endpoint the functions use for an AWS service
	// ("dynamodb", "cognito-idp" or "sesv2") given the emulator's own URL: the benchmarks
	// put a counting proxy there. The gateway's JWT authorizer still reads the emulator.
	ServiceURL func(service, emulatorURL string) (string, error)
	// OnColdStart is the gateway's hook, called once per function instance (see gateway.Config).
	OnColdStart func(gateway.InstanceStats)
	// OnRefusal is called for every call a function's IAM policy did not allow.
	OnRefusal func(iam.Refusal)
}

// Ports are the loopback ports of the stack's servers.
type Ports struct {
	API      int // the local gateway: HTTP API and Lambda's Invoke API
	Mailbox  int // the SES emulator, whose page is the mailbox
	MailJSON int // the sent emails as JSON
	DynamoDB int
	Cognito  int
}

// Admin is the bootstrapped super admin.
type Admin struct {
	LoginAccount string `json:"loginAccount"`
	Username     string `json:"username"`
	Email        string `json:"email"`
	Password     string `json:"password"`
}

// Stack is a running local stack.
type Stack struct {
	APIURL           string
	ConsoleURL       string // the console's first page: the API's origin, named localhost
	MailboxURL       string
	MailJSONURL      string
	DynamoDBEndpoint string
	CognitoEndpoint  string
	SESEndpoint      string
	SQSEndpoint      string // moto, which serves SQS beside Cognito
	TableName        string
	// TableDefinitionFile holds the table's definition, for tests that make tables like it.
	TableDefinitionFile string
	UserPool            provision.UserPool
	Admin               Admin
	Logs                map[string]string // log file by component: dynamodb, cognito, ses, build, gateway, access (the HTTP API's access log)
	// Queues are the template's AWS::SQS::Queue resources, by logical id.
	Queues map[string]provision.Queue
	// MailDLQURL is the queue the mailer's event source mapping sends failure records to.
	MailDLQURL string

	opts      Options
	iam       *iam.Enforcer
	emulators []*emulator.Process // DynamoDB Local and moto; SES is ses
	gateway   *gateway.Gateway
	logger    *slog.Logger // the gateway's, which the poller shares
	sqs       *sqs.Client
	poller    *streams.Poller
	mappings  []string
	// emulatorStream is the table's stream as DynamoDB Local names it.
	emulatorStream string
	// The SES emulator can be stopped and started again (fault tests).
	sesMu     sync.Mutex
	ses       *emulator.Process
	sesPort   int
	sesFront  *sesFront
	servers   []*http.Server
	gwLog     *os.File
	accessLog *os.File
	closeOnce sync.Once
}

// Start brings the whole stack up. On failure it stops what it started and the error says
// which part failed, with the end of that part's log.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	s := &Stack{opts: opts, TableName: tableName, Admin: opts.Admin, Logs: map[string]string{}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	logDir := filepath.Join(opts.StateDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	tmpl, err := samtemplate.Load(filepath.Join(opts.Root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	if err := checkFunctionDirs(opts.Root, tmpl); err != nil {
		return nil, err
	}
	if err := checkParameters(tmpl, opts.Parameters); err != nil {
		return nil, err
	}
	if s.Admin.Password == "" {
		s.Admin.Password = randomPassword()
	}
	ports, err := opts.Ports.fill()
	if err != nil {
		return nil, err
	}

	// The emulators start while the functions build: the JVM and Python take seconds to start,
	// the Go build is the other long step, and neither needs the other.
	s.progress("starting DynamoDB Local, moto (Cognito) and aws-ses-v2-local (SES); building the functions")
	tools := emulator.Tools{Dir: filepath.Join(opts.Root, ".tools")}
	specs := []struct {
		spec   func(port int) emulator.Spec
		port   int
		picked bool // by fill, not asked for: another free one will do
	}{
		{func(port int) emulator.Spec { return tools.DynamoDBLocal(port, "") }, ports.DynamoDB, opts.Ports.DynamoDB == 0},
		{tools.Cognito, ports.Cognito, opts.Ports.Cognito == 0},
		{tools.SES, ports.Mailbox, opts.Ports.Mailbox == 0},
	}
	procs := make([]*emulator.Process, len(specs))
	errs := make([]error, len(specs)+1)
	var wg sync.WaitGroup
	for i, sp := range specs {
		name := sp.spec(sp.port).Name
		s.Logs[name] = filepath.Join(logDir, name+".log")
		wg.Go(func() { procs[i], errs[i] = emulator.StartOn(ctx, sp.spec, sp.port, sp.picked, logDir) })
	}
	s.Logs["build"] = filepath.Join(logDir, "build.log")
	wg.Go(func() { errs[len(specs)] = buildFunctions(ctx, opts.Root, s.Logs["build"]) })
	wg.Wait()
	for _, p := range procs[:2] {
		if p != nil {
			s.emulators = append(s.emulators, p)
		}
	}
	s.ses = procs[2]
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// Its port, which StartOn may have moved, is where StartSES starts it again.
	_, port, _ := strings.Cut(strings.TrimPrefix(s.ses.URL, "http://"), ":")
	s.sesPort, _ = strconv.Atoi(port)
	s.DynamoDBEndpoint, s.CognitoEndpoint, s.SESEndpoint = procs[0].URL, procs[1].URL, procs[2].URL
	s.MailboxURL = procs[2].URL + "/"

	s.progress("creating the table and the user pool from template.yaml")
	awsCfg := aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretKey, ""),
	}
	db := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = &s.DynamoDBEndpoint })
	table, err := provision.TableDefinition(tmpl)
	if err != nil {
		return nil, err
	}
	if err := table.Create(ctx, db, s.TableName); err != nil {
		return nil, withLogTail(err, s.Logs["dynamodb"])
	}
	// Tests make tables of their own like it from this file (internal/store/storetest).
	s.TableDefinitionFile = filepath.Join(opts.StateDir, "table.json")
	if err := table.Write(s.TableDefinitionFile); err != nil {
		return nil, err
	}
	// The parameters without a default get local values; overrides win, as on a deploy.
	refs := map[string]string{"AWS::Region": Region, "AWS::StackName": stackName, "AWS::AccountId": AccountID, "AWS::Partition": "aws",
		"SenderEmail": senderEmail, "ConsoleUrl": consoleURL}
	for name, v := range opts.Parameters {
		refs[name] = v
	}
	idp := cognito.NewFromConfig(awsCfg, func(o *cognito.Options) { o.BaseEndpoint = &s.CognitoEndpoint })
	if s.UserPool, err = provision.CreateUserPool(ctx, idp, tmpl, refs); err != nil {
		return nil, withLogTail(err, s.Logs["cognito"])
	}
	refs[tmpl.Table.LogicalID] = s.TableName
	refs[tmpl.Table.LogicalID+".Arn"] = "arn:aws:dynamodb:" + Region + ":" + AccountID + ":table/" + s.TableName
	refs[tmpl.UserPool.LogicalID] = s.UserPool.ID
	refs[tmpl.UserPool.LogicalID+".Arn"] = s.UserPool.ARN
	refs[tmpl.UserPoolClient.LogicalID] = s.UserPool.ClientID
	if err := s.provisionStreamAndQueues(ctx, awsCfg, db, tmpl, refs); err != nil {
		return nil, err
	}

	cfg, err := s.gatewayConfig(tmpl, refs)
	if err != nil {
		return nil, err
	}
	cfg.OnColdStart = opts.OnColdStart
	if cfg.Throttles, err = gatewayThrottles(tmpl, refs); err != nil {
		return nil, err
	}
	s.Logs["gateway"] = filepath.Join(logDir, "gateway.log")
	s.Logs["iam"] = filepath.Join(logDir, "iam-calls.json")
	if s.gwLog, err = os.Create(s.Logs["gateway"]); err != nil {
		return nil, err
	}
	var logOut io.Writer = s.gwLog
	if opts.GatewayLog != nil {
		logOut = io.MultiWriter(s.gwLog, opts.GatewayLog)
	}
	s.logger = slog.New(slog.NewTextHandler(logOut, nil))
	cfg.Logger = s.logger
	// An SES outage (StopSES) is logged beside the functions' lines it causes.
	s.sesFront.proxy.ErrorLog = slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn)
	// The stage's access log, in the template's format, to a file of its own as to a log
	// group of its own on AWS.
	s.Logs["access"] = filepath.Join(logDir, "access.log")
	if s.accessLog, err = os.Create(s.Logs["access"]); err != nil {
		return nil, err
	}
	cfg.AccessLogFormat, cfg.AccessLog = tmpl.AccessLogFormat, s.accessLog
	if s.gateway, err = gateway.New(cfg); err != nil {
		return nil, err
	}
	if s.APIURL, err = s.serve(ports.API, s.gateway); err != nil {
		return nil, fmt.Errorf("API: %w", err)
	}
	if err := s.startPoller(awsCfg, tmpl, refs); err != nil {
		return nil, err
	}
	// The console is on the API's own origin. Browsers keep its Secure session cookie over
	// plain http for localhost, which is what a person types.
	s.ConsoleURL = strings.Replace(s.APIURL, "//127.0.0.1:", "//localhost:", 1) + "/"
	if s.MailJSONURL, err = s.serve(ports.MailJSON, mailHandler(s.SESEndpoint)); err != nil {
		return nil, fmt.Errorf("mail JSON: %w", err)
	}
	s.MailJSONURL += "/emails"

	s.progress("bootstrapping the super admin through " + bootstrapID)
	if err := s.bootstrapAdmin(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// checkFunctionDirs fails early, naming every function whose code is not there yet.
func checkFunctionDirs(root string, tmpl *samtemplate.Template) error {
	var missing []string
	for _, fn := range tmpl.Functions {
		if _, err := os.Stat(filepath.Join(root, fn.Dir, "main.go")); err != nil {
			missing = append(missing, fmt.Sprintf("%s (%s/main.go)", fn.LogicalID, fn.Dir))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("template.yaml names functions whose code does not exist: %s", strings.Join(missing, ", "))
	}
	return nil
}

// buildFunctions runs `make build`, the one place that knows how a function is built.
func buildFunctions(ctx context.Context, root, logPath string) error {
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "build")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = log, log
	// Under `make test` the parent make's flags (a jobserver it did not pass on) would only
	// make this make complain.
	cmd.Env = withoutVars(os.Environ(), "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
	if err := cmd.Run(); err != nil {
		return withLogTail(fmt.Errorf("make build: %w", err), logPath)
	}
	return nil
}

func (s *Stack) gatewayConfig(tmpl *samtemplate.Template, refs map[string]string) (gateway.Config, error) {
	var cfg gateway.Config
	// The functions reach SES through a front that fault tests steer (sesfront.go).
	var err error
	if s.sesFront, err = newSESFront(s.SESEndpoint); err != nil {
		return cfg, err
	}
	front, err := s.serve(0, s.sesFront)
	if err != nil {
		return cfg, fmt.Errorf("SES front: %w", err)
	}
	endpoints := map[string]string{"dynamodb": s.DynamoDBEndpoint, "cognito-idp": s.CognitoEndpoint, "sesv2": front}
	if s.opts.ServiceURL != nil {
		for service, url := range endpoints {
			proxied, err := s.opts.ServiceURL(service, url)
			if err != nil {
				return cfg, fmt.Errorf("endpoint of %s: %w", service, err)
			}
			endpoints[service] = proxied
		}
	}
	// Every call a function makes passes an IAM proxy that holds it to its policy, as its
	// execution role would on AWS; the gateway's authorizer and the stack itself reach the
	// emulators directly.
	policies, err := iam.FromTemplate(tmpl, refs)
	if err != nil {
		return cfg, err
	}
	s.iam = iam.NewEnforcer(iam.Scope{Partition: "aws", Region: Region, AccountID: AccountID}, AccessKeyID, policies)
	s.iam.OnRefusal = s.opts.OnRefusal
	for service, url := range endpoints {
		h, err := s.iam.Proxy(iamService[service], url)
		if err != nil {
			return cfg, err
		}
		if endpoints[service], err = s.serve(0, h); err != nil {
			return cfg, fmt.Errorf("IAM proxy of %s: %w", service, err)
		}
	}
	for _, fn := range tmpl.Functions {
		env := map[string]string{
			// The key id names the function: the IAM proxies check its policy.
			"AWS_ACCESS_KEY_ID":                          fn.LogicalID,
			"AWS_SECRET_ACCESS_KEY":                      SecretKey,
			"AWS_ENDPOINT_URL_DYNAMODB":                  endpoints["dynamodb"],
			"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": endpoints["cognito-idp"],
			"AWS_ENDPOINT_URL_SESV2":                     endpoints["sesv2"],
			// Nothing here runs on EC2: skip the SDK's metadata look-ups.
			"AWS_EC2_METADATA_DISABLED": "true",
		}
		for name, v := range fn.Env {
			val, err := tmpl.Resolve(v, refs)
			if err != nil {
				return cfg, fmt.Errorf("%s: environment %s: %w", fn.LogicalID, name, err)
			}
			env[name] = val
		}
		g := gateway.Function{
			Name:       fn.LogicalID,
			Binary:     filepath.Join(s.opts.Root, "bin", filepath.Base(fn.Dir), "bootstrap"),
			Env:        env,
			Timeout:    fn.Timeout,
			MemorySize: fn.MemorySize,
			LogFormat:  fn.LogFormat,
		}
		for _, r := range fn.Routes {
			g.Routes = append(g.Routes, gateway.Route{Method: r.Method, Path: r.Path, Public: r.Public, Scopes: r.Scopes})
		}
		cfg.Functions = append(cfg.Functions, g)
	}
	iss, err := tmpl.Resolve(tmpl.JWT.Issuer, refs)
	if err != nil {
		return cfg, fmt.Errorf("JWT issuer: %w", err)
	}
	cfg.JWT = gateway.JWTConfig{Issuer: iss, JWKSURL: s.CognitoEndpoint + "/" + s.UserPool.ID + "/.well-known/jwks.json"}
	for _, a := range tmpl.JWT.Audience {
		aud, err := tmpl.Resolve(a, refs)
		if err != nil {
			return cfg, fmt.Errorf("JWT audience: %w", err)
		}
		cfg.JWT.Audience = append(cfg.JWT.Audience, aud)
	}
	cfg.Region = Region
	return cfg, nil
}

// writeIAMCalls keeps, beside the logs, every call each function was allowed to make: what its
// policy needs, to compare with what it grants.
func (s *Stack) writeIAMCalls() {
	if s.iam == nil || s.Logs["iam"] == "" {
		return
	}
	if data, err := json.MarshalIndent(s.iam.Used(), "", "  "); err == nil {
		_ = os.WriteFile(s.Logs["iam"], append(data, '\n'), 0o644)
	}
}

// iamService names the services of the endpoints by IAM's prefix for their actions.
var iamService = map[string]string{"dynamodb": iam.DynamoDB, "cognito-idp": iam.Cognito, "sesv2": iam.SES}

// IAM is the enforcer of the functions' policies: tests take a permission away with it.
func (s *Stack) IAM() *iam.Enforcer { return s.iam }

// serve runs h on a loopback port and returns its base URL.
func (s *Stack) serve(port int, h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), nil
}

// bootstrapAdmin creates the super admin with the real bootstrap function, as an operator
// does after deploying.
func (s *Stack) bootstrapAdmin(ctx context.Context) error {
	payload, _ := json.Marshal(s.Admin)
	ctx, cancel := context.WithTimeout(ctx, bootstrapLimit)
	defer cancel()
	out, err := s.gateway.Invoke(ctx, bootstrapID, payload)
	if err != nil {
		return withLogTail(fmt.Errorf("%s: %w", bootstrapID, err), s.Logs["gateway"])
	}
	var res struct {
		Created bool   `json:"created"`
		UserID  string `json:"userId"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return fmt.Errorf("%s answered %q: %w", bootstrapID, out, err)
	}
	if !res.Created {
		return fmt.Errorf("%s created no admin on a fresh stack: %s", bootstrapID, res.Message)
	}
	return nil
}

// withLogTail adds the end of the log that most likely tells why err happened.
func withLogTail(err error, logPath string) error {
	data, _ := os.ReadFile(logPath)
	return fmt.Errorf("%w\n--- end of %s ---\n%s", err, logPath, tail(string(data), 30))
}

// Close stops everything Start started: the servers, then the function processes, then the
// emulators. It is safe to call more than once.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopGrace)
		defer cancel()
		for _, srv := range s.servers {
			_ = srv.Shutdown(ctx)
		}
		// The poller stops invoking before the gateway stops the functions.
		if s.poller != nil {
			s.poller.Close()
		}
		if s.gateway != nil {
			_ = s.gateway.Close()
		}
		s.writeIAMCalls()
		var wg sync.WaitGroup
		for _, p := range s.processes() {
			wg.Go(func() { _ = p.Stop(stopGrace) })
		}
		wg.Wait()
		if s.gwLog != nil {
			_ = s.gwLog.Close()
		}
		if s.accessLog != nil {
			_ = s.accessLog.Close()
		}
	})
	return nil
}

// Gateway is the local gateway serving APIURL: benchmarks read its Stats and Retire warm
// instances to measure cold starts.
func (s *Stack) Gateway() *gateway.Gateway { return s.gateway }

// Pids are the process (and process group) ids of the running emulators.
func (s *Stack) Pids() []int {
	var out []int
	for _, p := range s.processes() {
		out = append(out, p.Pid())
	}
	return out
}

// processes are the emulators running now.
func (s *Stack) processes() []*emulator.Process {
	out := slices.Clone(s.emulators)
	if ses := s.sesProcess(); ses != nil {
		out = append(out, ses)
	}
	return out
}

// File is the content of stack.json: what scripts and tools need to use the stack.
type File struct {
	APIURL      string `json:"apiUrl"`
	ConsoleURL  string `json:"consoleUrl"`
	MailboxURL  string `json:"mailboxUrl"`
	MailJSONURL string `json:"mailJsonUrl"`
	// MailDLQURL is the mailer's dead-letter queue, in moto (SQS at SQSEndpoint).
	MailDLQURL  string            `json:"mailDlqUrl,omitempty"`
	SQSEndpoint string            `json:"sqsEndpoint"`
	Queues      map[string]string `json:"queues,omitempty"` // URL by logical id
	Admin       FileAdmin         `json:"admin"`
}

// FileAdmin is the admin's sign-in in stack.json.
type FileAdmin struct {
	LoginAccount string `json:"loginAccount"`
	Password     string `json:"password"`
}

// WriteFile writes stack.json atomically, so a reader never sees half of it.
func (s *Stack) WriteFile(path string) error {
	f := File{
		APIURL: s.APIURL, ConsoleURL: s.ConsoleURL, MailboxURL: s.MailboxURL, MailJSONURL: s.MailJSONURL,
		MailDLQURL: s.MailDLQURL, SQSEndpoint: s.SQSEndpoint,
		Admin: FileAdmin{LoginAccount: s.Admin.LoginAccount, Password: s.Admin.Password},
	}
	for id, q := range s.Queues {
		if f.Queues == nil {
			f.Queues = map[string]string{}
		}
		f.Queues[id] = q.URL
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Env is the environment a command run against the stack gets (see infra/cmd/stack).
func (s *Stack) Env(stackFile string) []string {
	return []string{
		"ROSTER_API_URL=" + s.APIURL,
		"ROSTER_CONSOLE_URL=" + s.ConsoleURL,
		"ROSTER_GATEWAY_INVOKE_URL=" + s.APIURL,
		"ROSTER_STACK_FILE=" + stackFile,
		"ROSTER_MAIL_JSON_URL=" + s.MailJSONURL,
		"ROSTER_MAILBOX_URL=" + s.MailboxURL,
		"ROSTER_DYNAMODB_ENDPOINT=" + s.DynamoDBEndpoint,
		"ROSTER_COGNITO_ENDPOINT=" + s.CognitoEndpoint,
		"ROSTER_SES_ENDPOINT=" + s.SESEndpoint,
		"ROSTER_SQS_ENDPOINT=" + s.SQSEndpoint,
		"ROSTER_MAIL_DLQ_URL=" + s.MailDLQURL,
		"ROSTER_TABLE_NAME=" + s.TableName,
		tabledef.EnvVar + "=" + s.TableDefinitionFile,
		"ROSTER_USER_POOL_ID=" + s.UserPool.ID,
		"ROSTER_USER_POOL_CLIENT_ID=" + s.UserPool.ClientID,
		"ROSTER_ADMIN_LOGIN=" + s.Admin.LoginAccount,
		"ROSTER_ADMIN_EMAIL=" + s.Admin.Email,
		"ROSTER_ADMIN_PASSWORD=" + s.Admin.Password,
		"AWS_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretKey,
		// An SDK client a test builds with config.LoadDefaultConfig reaches the emulators,
		// never a real account.
		"AWS_ENDPOINT_URL_DYNAMODB=" + s.DynamoDBEndpoint,
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + s.CognitoEndpoint,
		"AWS_ENDPOINT_URL_SESV2=" + s.SESEndpoint,
		"AWS_ENDPOINT_URL_SQS=" + s.SQSEndpoint,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

func (s *Stack) progress(msg string) {
	if s.opts.Progress != nil {
		fmt.Fprintln(s.opts.Progress, "stack: "+msg)
	}
}

// fill picks a free port for every zero one, each a different one: the ports it has
// picked stay bound until all are.
func (p Ports) fill() (Ports, error) {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for _, port := range []*int{&p.API, &p.Mailbox, &p.MailJSON, &p.DynamoDB, &p.Cognito} {
		if *port != 0 {
			if err := emulator.PortFree(*port); err != nil {
				return p, err
			}
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return p, err
		}
		held = append(held, l)
		*port = l.Addr().(*net.TCPAddr).Port
	}
	return p, nil
}

// randomPassword is long and random enough to pass any password rule Roster has.
func randomPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return "local-" + base64.RawURLEncoding.EncodeToString(b)
}

func withoutVars(env []string, names ...string) []string {
	out := env[:0:0]
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
