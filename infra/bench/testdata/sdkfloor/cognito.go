//go:build floor_cognitoidentityprovider

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

func init() {
	clients = append(clients, func(cfg aws.Config) func(context.Context) error {
		c := cip.NewFromConfig(cfg)
		return func(ctx context.Context) error {
			_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("floor"), Username: aws.String("floor")})
			return err
		}
	})
}
