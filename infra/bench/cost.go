package bench

import (
	"math"
	"strings"
)

// Public on-demand list prices in us-east-1, in dollars. This machine has no network:
// these are the prices AWS published (HTTP API and Lambda unchanged since 2021,
// DynamoDB on-demand since its November 2024 cut), as last checked in 2025. Check
// them against the pricing pages before quoting a bill.
const (
	PricesAsOf = "AWS us-east-1 on-demand list prices as published in 2025 (not re-checked: no network on this machine)"

	httpAPIPerMillion   = 1.00         // HTTP API requests, first 300 million a month, per 512 KB
	lambdaPerMillion    = 0.20         // Lambda requests
	lambdaARMPerGBSec   = 0.0000133334 // Lambda arm64 duration, first 6 billion GB-seconds a month
	dynamoRRUPerMillion = 0.125        // DynamoDB on-demand read request units
	dynamoWRUPerMillion = 0.625        // DynamoDB on-demand write request units
	sesPerEmail         = 0.10 / 1000  // SES outbound email
)

// PriceLines describe the prices for the report.
var PriceLines = []string{
	"API Gateway HTTP API  $1.00 per million requests (first 300 M a month, 512 KB each)",
	"Lambda arm64          $0.20 per million requests + $0.0000133334 per GB-second, billed per 1 ms",
	"DynamoDB on-demand    $0.125 per million read request units, $0.625 per million write request units",
	"Cognito               per monthly active user, not per call: not in these figures",
	"SES                   $0.10 per 1,000 emails ($100 per million calls that send one)",
}

// Cost is dollars per million calls of an operation, by service.
type Cost struct {
	API, Lambda, DynamoDB, SES float64
}

func (c Cost) Total() float64 { return c.API + c.Lambda + c.DynamoDB + c.SES }

// costOf prices an operation from its measured figures. Lambda's billed duration is
// taken as the warm p50 through the gateway, which includes the gateway's own time:
// an upper bound of the function's duration on the local stack.
func costOf(o OpResult) Cost {
	var c Cost
	if !strings.HasPrefix(o.Name, "invoke ") {
		c.API = httpAPIPerMillion
	}
	billedMS := math.Ceil(ms(o.Warm.P50))
	gbSeconds := float64(o.MemoryMB) / 1024 * billedMS / 1000
	c.Lambda = lambdaPerMillion + gbSeconds*lambdaARMPerGBSec*1e6
	c.DynamoDB = o.Tally.RRU*dynamoRRUPerMillion + o.Tally.WRU*dynamoWRUPerMillion
	c.SES = float64(o.Tally.Count("sesv2")) * sesPerEmail * 1e6
	return c
}

// MixCost is the admin mix priced.
type MixCost struct {
	Parts   []MixPart
	Missing []string // operations of the mix not on main
	PerM    float64  // dollars per million calls of the mix
}

type MixPart struct {
	Op    string
	Share float64 // of the calls, 0..1
	PerM  float64
}

func mixCost(ops []OpResult) MixCost {
	var m MixCost
	byName := map[string]OpResult{}
	for _, o := range ops {
		byName[o.Name] = o
	}
	total := 0.0
	for _, w := range adminMix {
		if _, ok := byName[w.Op]; ok {
			total += w.Weight
		} else {
			m.Missing = append(m.Missing, w.Op)
		}
	}
	for _, w := range adminMix {
		o, ok := byName[w.Op]
		if !ok {
			continue
		}
		part := MixPart{Op: w.Op, Share: w.Weight / total, PerM: o.Cost.Total()}
		m.Parts = append(m.Parts, part)
		m.PerM += part.Share * part.PerM
	}
	return m
}
