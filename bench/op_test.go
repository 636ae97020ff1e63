package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
)

// The per-operation benchmarks compare one DynamoDB call made with the raw
// SDK — a hand-built input, and a hand-written decoding of the result — with
// the same call made through tablemap. Both go through the same SDK client
// (serialization, signing, middleware) to an in-process HTTP client that
// answers with canned responses, so the difference is tablemap's own work:
// building keys and expressions, encoding and decoding items.

// OpPhoto is the benchmark entity.
type OpPhoto struct {
	_        struct{}  `tablemap:"Photo" pk:"USER#{username}" sk:"PHOTO#{taken}"`
	Username string    `dynamo:"username"`
	Taken    time.Time `dynamo:"taken"`
	URL      string    `dynamo:"url"`
	Width    int       `dynamo:"width"`
	Height   int       `dynamo:"height"`
	Tags     []string  `dynamo:"tags"`
}

var (
	opTaken = time.Date(2024, 6, 1, 18, 30, 12, 345678900, time.UTC)
	opPhoto = OpPhoto{Username: "ann", Taken: opTaken, URL: "https://img.example.com/ann/2024/06/01/sunset.jpg",
		Width: 4032, Height: 3024, Tags: []string{"sea", "sunset", "norway"}}
)

// photoJSON is the wire form of photo i of ann, as DynamoDB returns it.
func photoJSON(i int) string {
	taken := opTaken.Add(time.Duration(i) * time.Second)
	return fmt.Sprintf(`{"PK":{"S":"USER#ann"},"SK":{"S":"PHOTO#%s"},"_type":{"S":"Photo"},`+
		`"username":{"S":"ann"},"taken":{"S":"%s"},"url":{"S":"https://img.example.com/ann/2024/06/01/sunset.jpg"},`+
		`"width":{"N":"4032"},"height":{"N":"3024"},"tags":{"L":[{"S":"sea"},{"S":"sunset"},{"S":"norway"}]}}`,
		taken.Format("2006-01-02T15:04:05.000000000Z"), taken.Format(time.RFC3339Nano))
}

// stub is an http client answering DynamoDB requests in memory: respond
// returns the response body for an operation ("GetItem", …) and the
// request body.
type stub struct {
	respond func(op string, req []byte) io.Reader
}

func (s *stub) Do(r *http.Request) (*http.Response, error) {
	var req []byte
	if r.Body != nil {
		req, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	return &http.Response{
		StatusCode:    200,
		Status:        "200 OK",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:          io.NopCloser(s.respond(op, req)),
		ContentLength: -1,
		Request:       r,
	}, nil
}

// stubClient returns an SDK client (signing requests, as in production)
// whose requests stub answers.
func stubClient(respond func(op string, req []byte) io.Reader) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "bench", SecretAccessKey: "bench", Source: "bench"}, nil
		}),
		BaseEndpoint: aws.String("http://dynamodb.stub"),
		HTTPClient:   &stub{respond: respond},
	})
}

// cannedOps answers GetItem with photo 0, PutItem with nothing, and Query
// with photos 0..9.
func cannedOps() func(op string, req []byte) io.Reader {
	get := []byte(`{"Item":` + photoJSON(0) + `}`)
	items := make([]string, 10)
	for i := range items {
		items[i] = photoJSON(i)
	}
	query := []byte(`{"Count":10,"ScannedCount":10,"Items":[` + strings.Join(items, ",") + `]}`)
	return func(op string, _ []byte) io.Reader {
		switch op {
		case "GetItem":
			return bytes.NewReader(get)
		case "Query":
			return bytes.NewReader(query)
		}
		return strings.NewReader(`{}`)
	}
}

// handDecode is the hand-written decoding of a photo item.
func handDecode(item map[string]types.AttributeValue, p *OpPhoto) error {
	str := func(name string) (string, error) {
		s, ok := item[name].(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("%s: not a string", name)
		}
		return s.Value, nil
	}
	num := func(name string) (int, error) {
		n, ok := item[name].(*types.AttributeValueMemberN)
		if !ok {
			return 0, fmt.Errorf("%s: not a number", name)
		}
		return strconv.Atoi(n.Value)
	}
	var err error
	if p.Username, err = str("username"); err != nil {
		return err
	}
	taken, err := str("taken")
	if err != nil {
		return err
	}
	if p.Taken, err = time.Parse(time.RFC3339Nano, taken); err != nil {
		return err
	}
	if p.URL, err = str("url"); err != nil {
		return err
	}
	if p.Width, err = num("width"); err != nil {
		return err
	}
	if p.Height, err = num("height"); err != nil {
		return err
	}
	l, ok := item["tags"].(*types.AttributeValueMemberL)
	if !ok {
		return fmt.Errorf("tags: not a list")
	}
	p.Tags = make([]string, len(l.Value))
	for i, v := range l.Value {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return fmt.Errorf("tags[%d]: not a string", i)
		}
		p.Tags[i] = s.Value
	}
	return nil
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }

// The raw operations: what a careful programmer writes with the SDK.

func rawGet(ctx context.Context, c *dynamodb.Client, username string, taken time.Time) (OpPhoto, error) {
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("bench"),
		Key: map[string]types.AttributeValue{
			"PK": s("USER#" + username),
			"SK": s("PHOTO#" + taken.UTC().Format("2006-01-02T15:04:05.000000000Z")),
		},
	})
	var p OpPhoto
	if err != nil {
		return p, err
	}
	return p, handDecode(out.Item, &p)
}

func rawPut(ctx context.Context, c *dynamodb.Client, p *OpPhoto) error {
	tags := make([]types.AttributeValue, len(p.Tags))
	for i, t := range p.Tags {
		tags[i] = s(t)
	}
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("bench"),
		Item: map[string]types.AttributeValue{
			"PK":       s("USER#" + p.Username),
			"SK":       s("PHOTO#" + p.Taken.UTC().Format("2006-01-02T15:04:05.000000000Z")),
			"_type":    s("Photo"),
			"username": s(p.Username),
			"taken":    s(p.Taken.Format(time.RFC3339Nano)),
			"url":      s(p.URL),
			"width":    n(p.Width),
			"height":   n(p.Height),
			"tags":     &types.AttributeValueMemberL{Value: tags},
		},
	})
	return err
}

func rawQuery(ctx context.Context, c *dynamodb.Client, username string) ([]OpPhoto, error) {
	out, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName:                aws.String("bench"),
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :sk)"),
		FilterExpression:         aws.String("#type = :type"),
		ExpressionAttributeNames: map[string]string{"#pk": "PK", "#sk": "SK", "#type": "_type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s("USER#" + username), ":sk": s("PHOTO#"), ":type": s("Photo"),
		},
	})
	if err != nil {
		return nil, err
	}
	ps := make([]OpPhoto, len(out.Items))
	for i, item := range out.Items {
		if err := handDecode(item, &ps[i]); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

func tmQuery(ctx context.Context, photos *tablemap.Entity[OpPhoto], username string) ([]OpPhoto, error) {
	var ps []OpPhoto
	for p, err := range photos.Query(OpPhoto{Username: username}).All(ctx) {
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func BenchmarkOp(b *testing.B) {
	ctx := context.Background()
	client := stubClient(cannedOps())
	photos := tablemap.MustDefine[OpPhoto](tablemap.NewTable(client, "bench"))

	// Both sides must do the same: same results.
	rg, err := rawGet(ctx, client, "ann", opTaken)
	if err != nil {
		b.Fatal(err)
	}
	tg, err := photos.Get(OpPhoto{Username: "ann", Taken: opTaken}).Run(ctx)
	if err != nil {
		b.Fatal(err)
	}
	rq, err := rawQuery(ctx, client, "ann")
	if err != nil {
		b.Fatal(err)
	}
	tq, err := tmQuery(ctx, photos, "ann")
	if err != nil {
		b.Fatal(err)
	}
	if d := cmp.Diff(rg, tg); d != "" {
		b.Fatalf("Get results differ (-raw +tablemap):\n%s", d)
	}
	if d := cmp.Diff(rq, tq); d != "" || len(tq) != 10 {
		b.Fatalf("Query results differ (-raw +tablemap):\n%s", d)
	}

	for _, bc := range []struct {
		op      string
		raw, tm func() error
	}{
		{"Get",
			func() error { _, err := rawGet(ctx, client, "ann", opTaken); return err },
			func() error { _, err := photos.Get(OpPhoto{Username: "ann", Taken: opTaken}).Run(ctx); return err }},
		{"Put",
			func() error { return rawPut(ctx, client, &opPhoto) },
			func() error { return photos.Put(opPhoto).Run(ctx) }},
		{"Query10",
			func() error { _, err := rawQuery(ctx, client, "ann"); return err },
			func() error { _, err := tmQuery(ctx, photos, "ann"); return err }},
	} {
		b.Run(bc.op+"/raw", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.raw(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.op+"/tablemap", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.tm(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
