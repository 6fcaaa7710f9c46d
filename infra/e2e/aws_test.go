package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
)

// Around the API: the stack's table, user pool and functions, reached as an operator (or
// an attacker who holds a token) would, for what the API cannot show or make.

// stackStore is a store on the stack's own table, for the states the API cannot make.
func stackStore(t *testing.T) *store.Store {
	t.Helper()
	return store.New(storetest.Client(t), os.Getenv("ROSTER_TABLE_NAME"))
}

var (
	poolOnce   sync.Once
	poolClient *cip.Client
)

// cognitoPool is a client of the local Cognito with the stack's own credentials, which
// the IAM proxy does not check: an operator's, or anyone's for the calls Cognito
// authorizes by a token rather than by IAM.
func cognitoPool(t *testing.T) *cip.Client {
	t.Helper()
	poolOnce.Do(func() {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			panic(err)
		}
		poolClient = cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(os.Getenv("ROSTER_COGNITO_ENDPOINT")) })
	})
	return poolClient
}

// signInWithCognito signs a user in at Cognito as Roster does (the server-side flow,
// with the app client's secret, which only an operator or Roster's sign-in functions
// can read), skipping Roster's own checks of the user's record.
func signInWithCognito(t *testing.T, userID, password string) error {
	t.Helper()
	ctx := context.Background()
	pool, clientID := os.Getenv("ROSTER_USER_POOL_ID"), os.Getenv("ROSTER_USER_POOL_CLIENT_ID")
	out, err := cognitoPool(t).DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &pool, ClientId: &clientID})
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(aws.ToString(out.UserPoolClient.ClientSecret)))
	mac.Write([]byte(userID + clientID))
	_, err = cognitoPool(t).AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: &pool, ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": userID, "PASSWORD": password, "SECRET_HASH": base64.StdEncoding.EncodeToString(mac.Sum(nil))},
	})
	return err
}

// functionError is Lambda's document of a function's error.
type functionError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// invoke calls a function as an operator does with `aws lambda invoke`, through the
// gateway's Lambda Invoke API, and decodes its result strictly into out. A function
// error is answered as 400, with Lambda's document of it.
func invoke(t *testing.T, function string, payload, out any) (status int, failed functionError) {
	t.Helper()
	base := os.Getenv("ROSTER_GATEWAY_INVOKE_URL")
	if base == "" {
		t.Fatal("ROSTER_GATEWAY_INVOKE_URL is not set")
	}
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Post(base+"/2015-03-31/functions/"+function+"/invocations", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("X-Amz-Function-Error") != "" {
		if err := json.Unmarshal(raw, &failed); err != nil {
			t.Fatalf("invoke %s failed with %q", function, raw)
		}
		return http.StatusBadRequest, failed
	}
	if err := decodeStrict(raw, out); err != nil {
		t.Fatalf("invoke %s answered %d %q: %v", function, resp.StatusCode, raw, err)
	}
	return resp.StatusCode, failed
}
