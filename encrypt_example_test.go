package tablemap_test

import (
	"bytes"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tablemap/tablemap"
)

// An encrypted field is sealed before the request is built: the PutItem
// request carries a binary ciphertext bound to the table, the item's key and
// the attribute, never the secret. Nothing is sent (the table has no
// client).
func ExampleWithCipher() {
	type Credential struct {
		_      struct{} `tablemap:"Credential" pk:"USER#{user}" sk:"CRED#{site}"`
		User   string   `dynamo:"user"`
		Site   string   `dynamo:"site"`
		Secret string   `dynamo:"secret,encrypted"`
	}
	// In real use the key comes from a secrets manager, or an Envelope
	// over package kmskey takes its data keys from AWS KMS.
	cipher, err := tablemap.LocalKey(bytes.Repeat([]byte{7}, tablemap.KeySize))
	if err != nil {
		panic(err)
	}
	tbl := tablemap.NewTable(nil, "app", tablemap.WithCipher(cipher)) // a *dynamodb.Client in real use
	creds, err := tablemap.Define[Credential](tbl)
	if err != nil {
		panic(err)
	}
	in, err := creds.Put(Credential{User: "ann", Site: "github.com", Secret: "hunter2"}).Params()
	if err != nil {
		panic(err)
	}
	sealed := in.Item["secret"].(*types.AttributeValueMemberB).Value
	fmt.Printf("secret: B, %d bytes, format %d, kind %d\n", len(sealed), sealed[0], sealed[1])
	fmt.Println("holds the secret in clear:", bytes.Contains(sealed, []byte("hunter2")))
	// Output:
	// secret: B, 47 bytes, format 1, kind 1
	// holds the secret in clear: false
}
