package samtemplate

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// StreamEvent is a function's event of Type DynamoDB: the event source mapping SAM makes of it.
// Its properties stay unresolved until the stack knows the stream's and the queues' ARNs
// (Template.StreamConfig).
type StreamEvent struct {
	Name       string // the event's key under Events
	Properties *node
}

// StreamConfig is a DynamoDB event's properties, resolved, with Lambda's defaults applied.
type StreamConfig struct {
	Stream           string // the stream's ARN
	StartingPosition string // TRIM_HORIZON or LATEST
	Enabled          bool
	BatchSize        int
	// MaximumBatchingWindowInSeconds is how long Lambda gathers records before invoking.
	MaximumBatchingWindowInSeconds int
	MaximumRetryAttempts           int // -1: until the record expires
	MaximumRecordAgeInSeconds      int // -1: until the record expires
	BisectBatchOnFunctionError     bool
	ReportBatchItemFailures        bool // FunctionResponseTypes holds ReportBatchItemFailures
	Filters                        []string
	// OnFailure is DestinationConfig.OnFailure: the destination's ARN and the Type SAM reads
	// to add a send policy to the role ("SQS", "SNS" or "" for none).
	OnFailure, OnFailureType string
}

// Lambda's defaults and limits for a DynamoDB event source mapping (services-ddb-params).
const (
	defaultStreamBatchSize = 100
	maxStreamBatchSize     = 10000
	maxBatchingWindow      = 300
	maxRetryAttempts       = 10000
	maxRecordAge           = 604800
)

// streamEvent checks what Parse can check before anything is resolved.
func streamEvent(name string, props *node) (StreamEvent, error) {
	if get(props, "Stream") == nil {
		return StreamEvent{}, errors.New("DynamoDB event needs Stream")
	}
	if get(props, "StartingPosition") == nil {
		return StreamEvent{}, errors.New("DynamoDB event needs StartingPosition (TRIM_HORIZON or LATEST)")
	}
	return StreamEvent{Name: name, Properties: props}, nil
}

// streamProperties are the properties the local poller runs. Others (ParallelizationFactor
// above 1, TumblingWindowInSeconds, StartingPositionTimestamp, ...) stop the stack: a mapping
// that ran differently here than on AWS would prove nothing.
var streamProperties = []string{
	"Stream", "StartingPosition", "Enabled", "BatchSize", "MaximumBatchingWindowInSeconds",
	"MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
	"FunctionResponseTypes", "FilterCriteria", "DestinationConfig", "ParallelizationFactor",
}

// StreamConfig resolves a DynamoDB event's properties with refs and checks them as
// CreateEventSourceMapping would.
func (t *Template) StreamConfig(fn Function, ev StreamEvent, refs map[string]string) (StreamConfig, error) {
	c, err := t.streamConfig(ev, refs)
	if err != nil {
		return StreamConfig{}, fmt.Errorf("%s: event %s: %w", fn.LogicalID, ev.Name, err)
	}
	return c, nil
}

func (t *Template) streamConfig(ev StreamEvent, refs map[string]string) (StreamConfig, error) {
	raw, err := t.resolveTree(ev.Properties, refs)
	if err != nil {
		return StreamConfig{}, err
	}
	props, ok := raw.(map[string]any)
	if !ok {
		//lint:ignore ST1005 CloudFormation's property name
		return StreamConfig{}, errors.New("Properties is not a mapping")
	}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if !slices.Contains(streamProperties, k) {
			return StreamConfig{}, fmt.Errorf("property %s is not run by the local stack", k)
		}
	}
	c := StreamConfig{Enabled: true}
	var errs []error
	c.Stream, _ = props["Stream"].(string)
	if !strings.HasPrefix(c.Stream, "arn:") {
		//lint:ignore ST1005 CloudFormation's property name
		errs = append(errs, fmt.Errorf("Stream %v is not an ARN", props["Stream"]))
	}
	switch c.StartingPosition, _ = props["StartingPosition"].(string); c.StartingPosition {
	case "TRIM_HORIZON", "LATEST":
	default:
		errs = append(errs, fmt.Errorf("StartingPosition %v: want TRIM_HORIZON or LATEST", props["StartingPosition"]))
	}
	ints := []struct {
		key      string
		dst      *int
		def      int
		min, max int
	}{
		{"BatchSize", &c.BatchSize, defaultStreamBatchSize, 1, maxStreamBatchSize},
		{"MaximumBatchingWindowInSeconds", &c.MaximumBatchingWindowInSeconds, 0, 0, maxBatchingWindow},
		{"MaximumRetryAttempts", &c.MaximumRetryAttempts, -1, -1, maxRetryAttempts},
		{"MaximumRecordAgeInSeconds", &c.MaximumRecordAgeInSeconds, -1, -1, maxRecordAge},
	}
	for _, p := range ints {
		v, err := intProperty(props, p.key, p.def)
		if err == nil && (v < p.min || v > p.max) {
			err = fmt.Errorf("%s %d: want %d to %d", p.key, v, p.min, p.max)
		}
		errs = append(errs, err)
		*p.dst = v
	}
	if age := c.MaximumRecordAgeInSeconds; age != -1 && age < 60 {
		errs = append(errs, fmt.Errorf("MaximumRecordAgeInSeconds %d: want -1 or 60 to %d", age, maxRecordAge))
	}
	if n, err := intProperty(props, "ParallelizationFactor", 1); err != nil || n != 1 {
		errs = append(errs, fmt.Errorf("ParallelizationFactor %v: the local poller runs one batch per shard at a time (1)", props["ParallelizationFactor"]))
	}
	if c.Enabled, err = boolProperty(props, "Enabled", true); err != nil {
		errs = append(errs, err)
	}
	if c.BisectBatchOnFunctionError, err = boolProperty(props, "BisectBatchOnFunctionError", false); err != nil {
		errs = append(errs, err)
	}
	if types, ok := props["FunctionResponseTypes"]; ok {
		list, _ := types.([]any)
		for _, v := range list {
			if v != "ReportBatchItemFailures" {
				errs = append(errs, fmt.Errorf("FunctionResponseTypes: unknown %v", v))
				continue
			}
			c.ReportBatchItemFailures = true
		}
		if list == nil {
			errs = append(errs, errors.New("FunctionResponseTypes is not a list"))
		}
	}
	if c.Filters, err = filterPatterns(props["FilterCriteria"]); err != nil {
		errs = append(errs, err)
	}
	if c.OnFailure, c.OnFailureType, err = onFailure(props["DestinationConfig"]); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// filterPatterns reads FilterCriteria: {Filters: [{Pattern: "<JSON>"}, ...]}. Each pattern
// must be a JSON object (Lambda refuses the mapping otherwise); what it means is the poller's.
func filterPatterns(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	fc, ok := v.(map[string]any)
	if !ok || len(fc) > 1 {
		return nil, errors.New("FilterCriteria: want {Filters: [{Pattern: ...}]}")
	}
	filters, _ := fc["Filters"].([]any)
	var out []string
	for i, f := range filters {
		m, _ := f.(map[string]any)
		p, ok := m["Pattern"].(string)
		var obj map[string]any
		if !ok || len(m) != 1 || json.Unmarshal([]byte(p), &obj) != nil {
			return nil, fmt.Errorf("FilterCriteria.Filters[%d]: Pattern must be a JSON object in a string", i)
		}
		out = append(out, p)
	}
	return out, nil
}

// onFailure reads DestinationConfig: {OnFailure: {Type: SQS|SNS, Destination: <ARN>}}.
func onFailure(v any) (dest, typ string, err error) {
	if v == nil {
		return "", "", nil
	}
	dc, _ := v.(map[string]any)
	of, _ := dc["OnFailure"].(map[string]any)
	if of == nil || len(dc) != 1 {
		return "", "", errors.New("DestinationConfig: want {OnFailure: {Type, Destination}}")
	}
	dest, _ = of["Destination"].(string)
	typ, _ = of["Type"].(string)
	for k := range of {
		if k != "Destination" && k != "Type" {
			return "", "", fmt.Errorf("DestinationConfig.OnFailure: unknown %s", k)
		}
	}
	switch {
	case !strings.HasPrefix(dest, "arn:"):
		return "", "", fmt.Errorf("DestinationConfig.OnFailure.Destination %v is not an ARN", of["Destination"])
	case typ != "" && typ != "SQS" && typ != "SNS":
		return "", "", fmt.Errorf("DestinationConfig.OnFailure.Type %q: want SQS or SNS", typ)
	}
	return dest, typ, nil
}

// intProperty reads an integer written as a number or, through a parameter, a string.
func intProperty(props map[string]any, key string, def int) (int, error) {
	switch v := props[key].(type) {
	case nil:
		return def, nil
	case int:
		return v, nil
	case string:
		n, err := strconv.Atoi(v)
		if err != nil {
			return def, fmt.Errorf("%s %q is not an integer", key, v)
		}
		return n, nil
	}
	return def, fmt.Errorf("%s %v is not an integer", key, props[key])
}

func boolProperty(props map[string]any, key string, def bool) (bool, error) {
	switch v := props[key].(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	case string:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return def, fmt.Errorf("%s %q is not a boolean", key, v)
		}
		return b, nil
	}
	return def, fmt.Errorf("%s %v is not a boolean", key, props[key])
}
