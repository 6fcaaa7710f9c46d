package gateway

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// errUnknownKey is a token signed with a key the JWKS does not hold.
var errUnknownKey = errors.New("unknown signing key")

// keySet is the authorizer's view of the issuer's JWKS: fetched on first
// use, cached, and fetched again when a token names a key it does not know
// (the pool may have rotated its keys, or been recreated by the emulator).
type keySet struct {
	url    string
	client *http.Client

	mu   sync.Mutex // held across a fetch, so concurrent misses fetch once
	keys map[string]*rsa.PublicKey
}

func newKeySet(url string) *keySet {
	return &keySet{url: url, client: &http.Client{Timeout: 5 * time.Second}}
}

// key returns the RSA key with this kid, fetching the JWKS at most once.
func (ks *keySet) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if k, ok := ks.keys[kid]; ok {
		return k, nil
	}
	keys, err := ks.fetch(ctx)
	if err != nil {
		return nil, err
	}
	ks.keys = keys
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, errUnknownKey
}

func (ks *keySet) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ks.url, nil)
	if err != nil {
		return nil, fmt.Errorf("JWKS request: %w", err)
	}
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: status %d", ks.url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read JWKS: %w", err)
	}
	return parseJWKS(body)
}

// parseJWKS keeps the RSA signing keys of a JWKS document by kid; other
// keys are skipped, as a verifier would never use them.
func parseJWKS(body []byte) (map[string]*rsa.PublicKey, error) {
	var doc struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	keys := make(map[string]*rsa.PublicKey, len(doc.Keys))
	for _, k := range doc.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, errN := decodeSegment(k.N)
		e, errE := decodeSegment(k.E)
		if errN != nil || errE != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			continue
		}
		exp := new(big.Int).SetBytes(e)
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}
	}
	return keys, nil
}

// decodeSegment decodes base64url without padding (JWS), tolerating padding.
func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(trimPadding(s))
}

func trimPadding(s string) string {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return s
}
