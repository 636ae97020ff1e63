// Package localaws makes the aws.Config of a server on this machine that
// stands in for an AWS service in tests and examples: DynamoDB Local,
// local-kms. Like its users, it depends only on the SDK.
package localaws

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Config returns an aws.Config for the endpoint: static credentials (a
// local server checks none), the region, and an HTTP client of its own
// keeping up to idlePerHost idle connections (0: the default, 2).
func Config(endpoint, region string, idlePerHost int) aws.Config {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = idlePerHost
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Transport: tr},
	}
}
