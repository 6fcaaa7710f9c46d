//go:build floor_cognitoidentityprovider

package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func init() {
	clients = append(clients, func(cfg aws.Config) { _ = cognitoidentityprovider.NewFromConfig(cfg) })
}
