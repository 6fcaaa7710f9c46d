package provision

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"

	cognito "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/roster-dev/roster/infra/samtemplate"
)

// UserPool is what CreateUserPool made.
type UserPool struct {
	ID       string
	ARN      string
	ClientID string
}

// CreateUserPool creates the template's user pool (password policy, MFA, admin-create-only,
// username configuration, recovery) and its app client (auth flows, token validity, revocation,
// user existence errors). refs resolves the properties' expressions, as for
// Template.Resolve (the pool's name is !Sub "${AWS::StackName}-users").
func CreateUserPool(ctx context.Context, client *cognito.Client, tmpl *samtemplate.Template, refs map[string]string) (UserPool, error) {
	refs = maps.Clone(refs)
	if refs == nil {
		refs = map[string]string{}
	}
	// LambdaConfig names functions by ARN, with !GetAtt or built with !Sub from pseudo
	// parameters; give them local values so the properties resolve.
	for _, fn := range tmpl.Functions {
		refs[fn.LogicalID+".Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:" + fn.LogicalID
	}
	for name, v := range map[string]string{"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"} {
		if _, ok := refs[name]; !ok {
			refs[name] = v
		}
	}
	props, err := tmpl.ResolveProperties(tmpl.UserPool, refs)
	if err != nil {
		return UserPool{}, err
	}
	// The emulator does not call Lambda triggers, so they are left out: what a trigger does
	// is tested by invoking its function through the local gateway.
	take(props, "LambdaConfig")
	// CloudFormation's EnabledMfas is not an API member: like CloudFormation, set the MFA
	// configuration after creating the pool.
	enabledMfas, _ := take(props, "EnabledMfas")
	mfa, _ := take(props, "MfaConfiguration")
	if name, ok := take(props, "UserPoolName"); ok {
		props["PoolName"] = name
	}
	var in cognito.CreateUserPoolInput
	if err := decodeStrict(props, &in); err != nil {
		return UserPool{}, fmt.Errorf("%s: property not provisioned locally: %w", tmpl.UserPool.LogicalID, err)
	}
	out, err := client.CreateUserPool(ctx, &in, sendAsWritten(withMotoPasswordLimit(props)))
	if err != nil {
		return UserPool{}, fmt.Errorf("create user pool: %w", err)
	}
	pool := UserPool{ID: *out.UserPool.Id, ARN: *out.UserPool.Arn}

	if mfa != nil {
		cfg := &cognito.SetUserPoolMfaConfigInput{UserPoolId: &pool.ID, MfaConfiguration: types.UserPoolMfaType(fmt.Sprint(mfa))}
		list, _ := enabledMfas.([]any)
		for _, m := range list {
			switch m {
			case "SOFTWARE_TOKEN_MFA":
				cfg.SoftwareTokenMfaConfiguration = &types.SoftwareTokenMfaConfigType{Enabled: true}
			default:
				return UserPool{}, fmt.Errorf("%s: EnabledMfas %v is not provisioned locally", tmpl.UserPool.LogicalID, m)
			}
		}
		if _, err := client.SetUserPoolMfaConfig(ctx, cfg); err != nil {
			return UserPool{}, fmt.Errorf("user pool MFA configuration: %w", err)
		}
	}

	refs[tmpl.UserPool.LogicalID] = pool.ID
	refs[tmpl.UserPool.LogicalID+".Arn"] = pool.ARN
	props, err = tmpl.ResolveProperties(tmpl.UserPoolClient, refs)
	if err != nil {
		return UserPool{}, err
	}
	var cin cognito.CreateUserPoolClientInput
	if err := decodeStrict(props, &cin); err != nil {
		return UserPool{}, fmt.Errorf("%s: property not provisioned locally: %w", tmpl.UserPoolClient.LogicalID, err)
	}
	cout, err := client.CreateUserPoolClient(ctx, &cin, sendAsWritten(props))
	if err != nil {
		return UserPool{}, fmt.Errorf("create user pool client: %w", err)
	}
	pool.ClientID = *cout.UserPoolClient.ClientId
	return pool, nil
}

// withMotoPasswordLimit raises moto's own password length cap (98 characters unless the
// policy says otherwise) to Cognito's 256, so Roster's 128-character passwords are accepted.
// MaximumLength is not a Cognito API member; real Cognito would ignore it.
func withMotoPasswordLimit(props map[string]any) map[string]any {
	policies, _ := props["Policies"].(map[string]any)
	pw, _ := policies["PasswordPolicy"].(map[string]any)
	if pw == nil {
		return props
	}
	out := maps.Clone(props)
	p := maps.Clone(policies)
	pw = maps.Clone(pw)
	pw["MaximumLength"] = 257
	p["PasswordPolicy"] = pw
	out["Policies"] = p
	return out
}

// sendAsWritten sends the properties as the request body, in place of the SDK's rendering
// of the same input. The Go SDK leaves false booleans out of a request and moto reads a
// missing RequireUppercase, RequireNumbers, ... as true, which would impose a composition rule
// the template switches off. The input is still built and validated by the SDK first.
func sendAsWritten(body map[string]any) func(*cognito.Options) {
	return func(o *cognito.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Build.Add(middleware.BuildMiddlewareFunc("RosterSendAsWritten",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					req, ok := in.Request.(*smithyhttp.Request)
					if !ok {
						return next.HandleBuild(ctx, in)
					}
					data, err := json.Marshal(body)
					if err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					if req, err = req.SetStream(bytes.NewReader(data)); err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					req.ContentLength = int64(len(data))
					in.Request = req
					return next.HandleBuild(ctx, in)
				}), middleware.After)
		})
	}
}
