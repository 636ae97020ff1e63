package kmskey_test

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tablemap/tablemap"
	"github.com/tablemap/tablemap/kmskey"
)

// A table whose encrypted attributes are sealed under data keys from AWS
// KMS: new data keys come from alias/ezypass, and values sealed under the
// key it pointed to before the last rotation still read.
func ExampleNew() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		panic(err)
	}
	keys, err := kmskey.New(kms.NewFromConfig(cfg), "alias/ezypass",
		"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	if err != nil {
		panic(err)
	}
	tbl := tablemap.NewTable(dynamodb.NewFromConfig(cfg), "ezypass",
		tablemap.WithCipher(tablemap.Envelope(keys)))
	_ = tbl // Define entities with `dynamo:"secret,encrypted"` fields on it
}
