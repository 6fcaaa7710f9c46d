// Package provision creates Roster's DynamoDB table and Cognito user pool on the local
// emulators from the resource properties in template.yaml, so the local stack cannot drift
// from what CloudFormation deploys.
//
// Properties are resolved and decoded strictly into the SDK's input types: CloudFormation names
// these properties after the API's members, and a property the API does not know (a typo, or a
// new one that has no local meaning yet) fails here with its name instead of being dropped.
package provision

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// TemplatePath finds template.yaml from any folder inside the module (a test runs in its
// package's folder) by walking up to go.mod. When there is none it returns "template.yaml",
// so that loading it fails with a plain "no such file".
func TemplatePath() string {
	root, err := RepoRoot()
	if err != nil {
		return "template.yaml"
	}
	return filepath.Join(root, "template.yaml")
}

// RepoRoot is the folder holding go.mod, found from the working directory upwards.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// take removes and returns a property handled by hand rather than by the SDK type.
func take(props map[string]any, key string) (any, bool) {
	v, ok := props[key]
	delete(props, key)
	return v, ok
}

// decodeStrict fills an SDK type from resolved properties, refusing unknown names.
func decodeStrict(props any, into any) error {
	data, err := json.Marshal(props)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}
