package streams

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// lambdaRecord is a stream record as Lambda hands it to a function (with-ddb.html's event):
// the DynamoDB Streams record with the region and source ARN of the mapping, and the creation
// time in epoch seconds.
type lambdaRecord struct {
	EventID        string        `json:"eventID"`
	EventName      string        `json:"eventName"`
	EventVersion   string        `json:"eventVersion"`
	EventSource    string        `json:"eventSource"`
	AWSRegion      string        `json:"awsRegion"`
	DynamoDB       lambdaChange  `json:"dynamodb"`
	EventSourceARN string        `json:"eventSourceARN"`
	UserIdentity   *userIdentity `json:"userIdentity,omitempty"`
}

type lambdaChange struct {
	ApproximateCreationDateTime json.Number    `json:"ApproximateCreationDateTime"`
	Keys                        map[string]any `json:"Keys"`
	NewImage                    map[string]any `json:"NewImage,omitempty"`
	OldImage                    map[string]any `json:"OldImage,omitempty"`
	SequenceNumber              string         `json:"SequenceNumber"`
	SizeBytes                   int64          `json:"SizeBytes"`
	StreamViewType              string         `json:"StreamViewType"`
}

// userIdentity marks a deletion by TTL: {"type": "Service", "principalId": "dynamodb.amazonaws.com"}.
type userIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
}

// record is one stream record the poller holds: its place, its time and its JSON for the event.
type record struct {
	seq     string
	created time.Time
	json    []byte
}

// newRecord renders a DynamoDB Streams record as Lambda's event record. region and sourceARN
// replace the emulator's own ("ddblocal", its account), which no AWS record carries.
func newRecord(r types.Record, region, sourceARN string) (record, error) {
	d := r.Dynamodb
	if d == nil || d.SequenceNumber == nil {
		return record{}, fmt.Errorf("stream record %s has no sequence number", aws.ToString(r.EventID))
	}
	out := lambdaRecord{
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventVersion:   aws.ToString(r.EventVersion),
		EventSource:    aws.ToString(r.EventSource),
		AWSRegion:      region,
		EventSourceARN: sourceARN,
		DynamoDB: lambdaChange{
			SequenceNumber: *d.SequenceNumber,
			SizeBytes:      aws.ToInt64(d.SizeBytes),
			StreamViewType: string(d.StreamViewType),
		},
	}
	if out.EventSource == "" {
		out.EventSource = "aws:dynamodb"
	}
	created := time.Now()
	if d.ApproximateCreationDateTime != nil {
		created = *d.ApproximateCreationDateTime
	}
	out.DynamoDB.ApproximateCreationDateTime = json.Number(strconv.FormatFloat(float64(created.UnixMilli())/1000, 'f', -1, 64))
	var err error
	if out.DynamoDB.Keys, err = attributes(d.Keys); err != nil {
		return record{}, err
	}
	if out.DynamoDB.NewImage, err = attributes(d.NewImage); err != nil {
		return record{}, err
	}
	if out.DynamoDB.OldImage, err = attributes(d.OldImage); err != nil {
		return record{}, err
	}
	if id := r.UserIdentity; id != nil {
		out.UserIdentity = &userIdentity{Type: aws.ToString(id.Type), PrincipalID: aws.ToString(id.PrincipalId)}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return record{}, err
	}
	return record{seq: *d.SequenceNumber, created: created, json: data}, nil
}

// attributes writes an item's attributes in DynamoDB's JSON ({"S": "..."}, {"N": "5"}, ...),
// as the stream and Lambda's event carry them; nil for none.
func attributes(m map[string]types.AttributeValue) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		a, err := attribute(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = a
	}
	return out, nil
}

func attribute(v types.AttributeValue) (map[string]any, error) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}, nil
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}, nil
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}, nil
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}, nil
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}, nil
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}, nil
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}, nil
	case *types.AttributeValueMemberBS:
		list := make([]string, len(v.Value))
		for i, b := range v.Value {
			list[i] = base64.StdEncoding.EncodeToString(b)
		}
		return map[string]any{"BS": list}, nil
	case *types.AttributeValueMemberL:
		list := make([]any, len(v.Value))
		for i, e := range v.Value {
			a, err := attribute(e)
			if err != nil {
				return nil, err
			}
			list[i] = a
		}
		return map[string]any{"L": list}, nil
	case *types.AttributeValueMemberM:
		m, err := attributes(v.Value)
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = map[string]any{}
		}
		return map[string]any{"M": m}, nil
	}
	return nil, fmt.Errorf("unknown attribute type %T", v)
}

// AWSStreamARN names a DynamoDB Local stream as AWS would name it in region and account:
// DynamoDB Local's own ARNs say "ddblocal" and "000000000000", which no policy names.
func AWSStreamARN(emulatorARN, region, account string) string {
	parts := strings.SplitN(emulatorARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return emulatorARN
	}
	parts[3], parts[4] = region, account
	return strings.Join(parts, ":")
}
