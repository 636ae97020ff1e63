package bench

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The raw implementations: what a careful programmer writes with the SDK
// alone — inputs with hand-written expressions, items built and decoded by
// hand.

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

// dec decodes attributes of an item by hand, keeping the first error.
type dec struct {
	item map[string]types.AttributeValue
	err  error
}

func (d *dec) str(name string) string {
	v, ok := d.item[name].(*types.AttributeValueMemberS)
	if !ok {
		d.fail(name, "string")
		return ""
	}
	return v.Value
}

func (d *dec) num(name string) int {
	v, ok := d.item[name].(*types.AttributeValueMemberN)
	if !ok {
		d.fail(name, "number")
		return 0
	}
	i, err := strconv.Atoi(v.Value)
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("%s: %w", name, err)
	}
	return i
}

func (d *dec) time(name string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, d.str(name))
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("%s: %w", name, err)
	}
	return t
}

func (d *dec) fail(name, kind string) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: not a %s", name, kind)
	}
}

func photoKey(username string, taken time.Time) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": s("USER#" + username),
		"SK": s("PHOTO#" + taken.UTC().Format(keyTime)),
	}
}

func userKey(username string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s("USER#" + username), "SK": s("PROFILE#" + username)}
}

// handPhotoItem is the hand-built item of a photo.
func handPhotoItem(p *OpPhoto) map[string]types.AttributeValue {
	tags := make([]types.AttributeValue, len(p.Tags))
	for i, t := range p.Tags {
		tags[i] = s(t)
	}
	return map[string]types.AttributeValue{
		"PK":       s("USER#" + p.Username),
		"SK":       s("PHOTO#" + p.Taken.UTC().Format(keyTime)),
		"_type":    s("Photo"),
		"username": s(p.Username),
		"taken":    s(p.Taken.Format(time.RFC3339Nano)),
		"url":      s(p.URL),
		"width":    n(p.Width),
		"height":   n(p.Height),
		"tags":     &types.AttributeValueMemberL{Value: tags},
	}
}

func handPhotoItemErr(p *OpPhoto) (map[string]types.AttributeValue, error) {
	return handPhotoItem(p), nil
}

func rawGet(ctx context.Context, c *dynamodb.Client, username string, taken time.Time) (OpPhoto, error) {
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("bench"),
		Key:       photoKey(username, taken),
	})
	var p OpPhoto
	if err != nil {
		return p, err
	}
	return p, handDecode(out.Item, &p)
}

func rawPut(ctx context.Context, c *dynamodb.Client, p *OpPhoto) error {
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("bench"), Item: handPhotoItem(p),
		// tablemap's guard: never replace another entity's item.
		ConditionExpression:                 aws.String("attribute_not_exists(#pk) OR #type = :type"),
		ExpressionAttributeNames:            map[string]string{"#pk": "PK", "#type": "_type"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":type": s("Photo")},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
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

func rawFilteredQueryInput(username string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:              aws.String("bench"),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :sk)"),
		FilterExpression:       aws.String("#type = :type AND #width > :width"),
		ProjectionExpression:   aws.String("#type, #pk, #sk, #url, #width"),
		ExpressionAttributeNames: map[string]string{
			"#pk": "PK", "#sk": "SK", "#type": "_type", "#url": "url", "#width": "width",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s("USER#" + username), ":sk": s("PHOTO#"), ":type": s("Photo"), ":width": n(minWidth),
		},
	}
}

func rawQueryFiltered(ctx context.Context, c *dynamodb.Client, username string) ([]OpPhoto, error) {
	out, err := c.Query(ctx, rawFilteredQueryInput(username))
	if err != nil {
		return nil, err
	}
	ps := make([]OpPhoto, len(out.Items))
	for i, item := range out.Items {
		d := dec{item: item}
		ps[i] = OpPhoto{URL: d.str("url"), Width: d.num("width")}
		pk, sk := d.str("PK"), d.str("SK")
		if d.err != nil {
			return nil, d.err
		}
		if err := parsePhotoKey(pk, sk, &ps[i]); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// parsePhotoKey sets the key fields of a photo from its keys, as
// tablemap does for a projection that leaves out the fields: the query
// has them in its keys. A key field's bytes up to '%' are escaped as %XX.
func parsePhotoKey(pk, sk string, p *OpPhoto) error {
	user, ok1 := strings.CutPrefix(pk, "USER#")
	taken, ok2 := strings.CutPrefix(sk, "PHOTO#")
	if !ok1 || !ok2 {
		return fmt.Errorf("not a photo's key: %q %q", pk, sk)
	}
	if strings.Contains(user, "%") {
		var err error
		if user, err = url.PathUnescape(user); err != nil {
			return err
		}
	}
	t, err := time.Parse(keyTime, taken)
	if err != nil {
		return err
	}
	p.Username, p.Taken = user, t
	return nil
}

func rawCollection(ctx context.Context, c *dynamodb.Client, owner, id string) (PhotoView, error) {
	out, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("bench"),
		// The sort key spans the photo ("A") and its reactions ("REACTION#…").
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		FilterExpression:         aws.String("#type IN (:photo, :reaction)"),
		ExpressionAttributeNames: map[string]string{"#pk": "PK", "#sk": "SK", "#type": "_type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s("PHOTO#" + owner + "#" + id), ":lo": s("A"), ":hi": s("REACTION$"),
			":photo": s("ColPhoto"), ":reaction": s("Reaction"),
		},
	})
	var v PhotoView
	if err != nil {
		return v, err
	}
	v.Reactions = make([]Reaction, 0, len(out.Items))
	for _, item := range out.Items {
		d := dec{item: item}
		switch d.str("_type") {
		case "ColPhoto":
			v.Photo = ColPhoto{Owner: d.str("owner"), ID: d.str("id"), URL: d.str("url"), Width: d.num("width"), Height: d.num("height")}
		case "Reaction":
			v.Reactions = append(v.Reactions, Reaction{Owner: d.str("owner"), Photo: d.str("photo"), User: d.str("user"),
				Type: d.str("type"), At: d.time("at")})
		}
		if d.err != nil {
			return v, d.err
		}
	}
	return v, nil
}

func rawUpdateInput(username string) *dynamodb.UpdateItemInput {
	return &dynamodb.UpdateItemInput{
		TableName:           aws.String("bench"),
		Key:                 userKey(username),
		UpdateExpression:    aws.String("SET #name = :name, #bio = :bio, #email = :email ADD #photos :one"),
		ConditionExpression: aws.String("#type = :type AND #photos < :quota"),
		ExpressionAttributeNames: map[string]string{
			"#type": "_type", "#name": "name", "#bio": "bio", "#email": "email", "#photos": "photos",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":type": s("User"), ":name": s(updName), ":bio": s(updBio), ":email": s(updEmail), ":one": n(1), ":quota": n(photoQuota),
		},
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

func handDecodeUser(item map[string]types.AttributeValue) (OpUser, error) {
	d := dec{item: item}
	u := OpUser{Username: d.str("username"), Name: d.str("name"), Bio: d.str("bio"), Email: d.str("email"),
		Followers: d.num("followers"), Following: d.num("following"), Photos: d.num("photos")}
	return u, d.err
}

func rawUpdate(ctx context.Context, c *dynamodb.Client, username string) (OpUser, error) {
	out, err := c.UpdateItem(ctx, rawUpdateInput(username))
	if err != nil {
		return OpUser{}, err
	}
	return handDecodeUser(out.Attributes)
}

// txToken returns a random idempotency token for a transaction, as
// tablemap and guregu's Idempotent give one.
func txToken() string {
	var b [16]byte
	rand.Read(b[:])
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

// rawCounter is a transaction's update adding one to a counter of an
// existing user.
func rawCounter(username, counter string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                           aws.String("bench"),
		Key:                                 userKey(username),
		UpdateExpression:                    aws.String("ADD #n :one"),
		ConditionExpression:                 aws.String("#type = :type"),
		ExpressionAttributeNames:            map[string]string{"#type": "_type", "#n": counter},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":type": s("User"), ":one": n(1)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
}

func rawTxInput(follower, followed string, since time.Time) *dynamodb.TransactWriteItemsInput {
	return &dynamodb.TransactWriteItemsInput{
		ClientRequestToken: aws.String(txToken()),
		TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{
				TableName: aws.String("bench"),
				Item: map[string]types.AttributeValue{
					"PK": s("USER#" + followed), "SK": s("FOLLOW#" + follower), "_type": s("Follow"),
					"follower": s(follower), "followed": s(followed), "since": s(since.Format(time.RFC3339Nano)),
				},
				ConditionExpression:                 aws.String("attribute_not_exists(#pk)"),
				ExpressionAttributeNames:            map[string]string{"#pk": "PK"},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
			rawCounter(follower, "following"),
			rawCounter(followed, "followers"),
		},
	}
}

func rawFollowTx(ctx context.Context, c *dynamodb.Client, follower, followed string, since time.Time) error {
	_, err := c.TransactWriteItems(ctx, rawTxInput(follower, followed, since))
	return err
}

// backoff waits before retrying unprocessed keys or writes (never, with
// the stub, which processes everything).
func backoff(ctx context.Context, try int) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(25<<min(try, 6)) * time.Millisecond):
		return nil
	}
}

// rawBatchGetChunk reads the photos of up to 100 keys with BatchGetItem,
// retrying unprocessed keys, and appends them to ps.
// Its decode is the raw or the attributevalue implementation's.
func rawBatchGetChunk(ctx context.Context, c *dynamodb.Client, keys []OpPhoto, ps []OpPhoto,
	decode func(map[string]types.AttributeValue, *OpPhoto) error) ([]OpPhoto, error) {
	ks := make([]map[string]types.AttributeValue, len(keys))
	for i, k := range keys {
		ks[i] = photoKey(k.Username, k.Taken)
	}
	req := map[string]types.KeysAndAttributes{"bench": {Keys: ks}}
	for try := 0; len(req) > 0; try++ {
		if try > 0 {
			if err := backoff(ctx, try); err != nil {
				return ps, err
			}
		}
		out, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return ps, err
		}
		for _, item := range out.Responses["bench"] {
			ps = append(ps, OpPhoto{})
			if err := decode(item, &ps[len(ps)-1]); err != nil {
				return ps, err
			}
		}
		req = out.UnprocessedKeys
	}
	return ps, nil
}

// rawBatchGet reads the photos of keys, 100 keys a request, one request
// after the other.
func rawBatchGet(ctx context.Context, c *dynamodb.Client, keys []OpPhoto,
	decode func(map[string]types.AttributeValue, *OpPhoto) error) ([]OpPhoto, error) {
	ps := make([]OpPhoto, 0, len(keys))
	var err error
	for start := 0; start < len(keys) && err == nil; start += 100 {
		ps, err = rawBatchGetChunk(ctx, c, keys[start:min(start+100, len(keys))], ps, decode)
	}
	return ps, err
}

// rawConcurrency is how many requests the raw concurrent batches have in
// flight at once.
const rawConcurrency = 4

// inParallel runs do(0) … do(n-1), rawConcurrency at a time, and returns
// the first error.
func inParallel(n int, do func(i int) error) error {
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, rawConcurrency)
		errs = make([]error, n)
	)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = do(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// rawBatchGetConc is rawBatchGet with up to rawConcurrency requests at
// once.
func rawBatchGetConc(ctx context.Context, c *dynamodb.Client, keys []OpPhoto) ([]OpPhoto, error) {
	chunks := make([][]OpPhoto, (len(keys)+99)/100)
	err := inParallel(len(chunks), func(i int) error {
		var err error
		chunks[i], err = rawBatchGetChunk(ctx, c, keys[100*i:min(100*i+100, len(keys))], make([]OpPhoto, 0, 100), handDecode)
		return err
	})
	ps := make([]OpPhoto, 0, len(keys))
	for _, ch := range chunks {
		ps = append(ps, ch...)
	}
	return ps, err
}

// rawBatchWriteChunk puts up to 25 photos with BatchWriteItem, retrying
// unprocessed writes.
// Its encode is the raw or the attributevalue implementation's.
func rawBatchWriteChunk(ctx context.Context, c *dynamodb.Client, ps []OpPhoto,
	encode func(*OpPhoto) (map[string]types.AttributeValue, error)) error {
	ws := make([]types.WriteRequest, len(ps))
	for i := range ps {
		item, err := encode(&ps[i])
		if err != nil {
			return err
		}
		ws[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
	}
	req := map[string][]types.WriteRequest{"bench": ws}
	for try := 0; len(req) > 0; try++ {
		if try > 0 {
			if err := backoff(ctx, try); err != nil {
				return err
			}
		}
		out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: req})
		if err != nil {
			return err
		}
		req = out.UnprocessedItems
	}
	return nil
}

// rawBatchWrite puts photos, 25 a request, one request after the other.
func rawBatchWrite(ctx context.Context, c *dynamodb.Client, ps []OpPhoto,
	encode func(*OpPhoto) (map[string]types.AttributeValue, error)) error {
	for start := 0; start < len(ps); start += 25 {
		if err := rawBatchWriteChunk(ctx, c, ps[start:min(start+25, len(ps))], encode); err != nil {
			return err
		}
	}
	return nil
}

// rawBatchWriteConc is rawBatchWrite with up to rawConcurrency requests
// at once.
func rawBatchWriteConc(ctx context.Context, c *dynamodb.Client, ps []OpPhoto) error {
	return inParallel((len(ps)+24)/25, func(i int) error {
		return rawBatchWriteChunk(ctx, c, ps[25*i:min(25*i+25, len(ps))], handPhotoItemErr)
	})
}
