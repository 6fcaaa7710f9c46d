// Package convert turns the YAML of openapi.yaml into the JSON the API serves. It is kept
// out of package openapi so that the function serving the document links no YAML parser.
package convert

import (
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// ToJSON converts a YAML document to compact JSON. Mapping keys must be strings, as JSON's
// are; map keys come out sorted (encoding/json), so the output is stable.
func ToJSON(src []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return nil, err
	}
	v, err := jsonValue(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// jsonValue checks that what yaml.v3 decoded has only string keys, which encoding/json needs.
func jsonValue(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			c, err := jsonValue(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			v[k] = c
		}
		return v, nil
	case map[any]any:
		return nil, fmt.Errorf("a mapping key is not a string")
	case []any:
		for i, e := range v {
			c, err := jsonValue(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			v[i] = c
		}
		return v, nil
	default:
		return v, nil
	}
}
