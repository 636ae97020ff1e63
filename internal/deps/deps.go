// Package deps pins the module's dependencies until code uses them; removed once it does.
package deps

import (
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/credentials"
	_ "github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	_ "github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	_ "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	_ "github.com/aws/smithy-go"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/testcontainers/testcontainers-go"
)
