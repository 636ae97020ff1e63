package bench

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The attributevalue implementations: the SDK's own helpers, items
// encoded and decoded by attributevalue (reading the dynamo tags) and
// expressions built by the expression package. Keys are built by hand, as
// a user of these helpers writes them.

func avEncOpts(o *attributevalue.EncoderOptions) { o.TagKey = "dynamo" }

func avDecOpts(o *attributevalue.DecoderOptions) { o.TagKey = "dynamo" }

func avDecode(item map[string]types.AttributeValue, out any) error {
	return attributevalue.UnmarshalMapWithOptions(item, out, avDecOpts)
}

func avDecodePhoto(item map[string]types.AttributeValue, p *OpPhoto) error { return avDecode(item, p) }

// avItem encodes v and adds its keys and type.
func avItem(v any, pk, sk, typ string) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(v, avEncOpts)
	if err != nil {
		return nil, err
	}
	item["PK"], item["SK"], item["_type"] = s(pk), s(sk), s(typ)
	return item, nil
}

func avPhotoItem(p *OpPhoto) (map[string]types.AttributeValue, error) {
	return avItem(p, "USER#"+p.Username, "PHOTO#"+p.Taken.UTC().Format(keyTime), "Photo")
}

func avGet(ctx context.Context, c *dynamodb.Client, username string, taken time.Time) (OpPhoto, error) {
	var p OpPhoto
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: photoKey(username, taken)})
	if err != nil {
		return p, err
	}
	return p, avDecode(out.Item, &p)
}

func avPut(ctx context.Context, c *dynamodb.Client, p *OpPhoto) error {
	item, err := avPhotoItem(p)
	if err != nil {
		return err
	}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name("PK")).
		Or(expression.Name("_type").Equal(expression.Value("Photo")))).Build()
	if err != nil {
		return err
	}
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: item,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	return err
}

func avQueryInput(b expression.Builder) (*dynamodb.QueryInput, error) {
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	return &dynamodb.QueryInput{
		TableName:                 aws.String("bench"),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}, nil
}

func avPhotosKey(username string) expression.KeyConditionBuilder {
	return expression.Key("PK").Equal(expression.Value("USER#" + username)).
		And(expression.Key("SK").BeginsWith("PHOTO#"))
}

// avQueryItems sends the query in, unless building it failed with err,
// and returns the items of its page.
func avQueryItems(ctx context.Context, c *dynamodb.Client, in *dynamodb.QueryInput, err error) ([]map[string]types.AttributeValue, error) {
	if err != nil {
		return nil, err
	}
	out, err := c.Query(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.Items, nil
}

func avQueryPhotos(ctx context.Context, c *dynamodb.Client, in *dynamodb.QueryInput, err error) ([]OpPhoto, error) {
	items, err := avQueryItems(ctx, c, in, err)
	if err != nil {
		return nil, err
	}
	var ps []OpPhoto
	return ps, attributevalue.UnmarshalListOfMapsWithOptions(items, &ps, avDecOpts)
}

func avQuery(ctx context.Context, c *dynamodb.Client, username string) ([]OpPhoto, error) {
	in, err := avQueryInput(expression.NewBuilder().
		WithKeyCondition(avPhotosKey(username)).
		WithFilter(expression.Name("_type").Equal(expression.Value("Photo"))))
	return avQueryPhotos(ctx, c, in, err)
}

func avFilteredQueryInput(username string) (*dynamodb.QueryInput, error) {
	return avQueryInput(expression.NewBuilder().
		WithKeyCondition(avPhotosKey(username)).
		WithFilter(expression.Name("_type").Equal(expression.Value("Photo")).
			And(expression.Name("width").GreaterThan(expression.Value(minWidth)))).
		WithProjection(expression.NamesList(expression.Name("_type"), expression.Name("PK"), expression.Name("SK"),
			expression.Name("url"), expression.Name("width"))))
}

// avProjected is a projected photo with the keys it parses.
type avProjected struct {
	PK, SK string
	OpPhoto
}

func avQueryFiltered(ctx context.Context, c *dynamodb.Client, username string) ([]OpPhoto, error) {
	in, err := avFilteredQueryInput(username)
	page, err := avQueryItems(ctx, c, in, err)
	if err != nil {
		return nil, err
	}
	var items []avProjected
	if err := attributevalue.UnmarshalListOfMapsWithOptions(page, &items, avDecOpts); err != nil {
		return nil, err
	}
	ps := make([]OpPhoto, len(items))
	for i := range items {
		ps[i] = items[i].OpPhoto
		if err := parsePhotoKey(items[i].PK, items[i].SK, &ps[i]); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

func avCollection(ctx context.Context, c *dynamodb.Client, owner, id string) (PhotoView, error) {
	var v PhotoView
	in, err := avQueryInput(expression.NewBuilder().
		WithKeyCondition(expression.Key("PK").Equal(expression.Value("PHOTO#" + owner + "#" + id)).
			And(expression.Key("SK").Between(expression.Value("A"), expression.Value("REACTION$")))).
		WithFilter(expression.Name("_type").In(expression.Value("ColPhoto"), expression.Value("Reaction"))))
	items, err := avQueryItems(ctx, c, in, err)
	if err != nil {
		return v, err
	}
	v.Reactions = make([]Reaction, 0, len(items))
	for _, item := range items {
		var typ string
		if err := attributevalue.Unmarshal(item["_type"], &typ); err != nil {
			return v, err
		}
		switch typ {
		case "ColPhoto":
			err = avDecode(item, &v.Photo)
		case "Reaction":
			v.Reactions = append(v.Reactions, Reaction{})
			err = avDecode(item, &v.Reactions[len(v.Reactions)-1])
		}
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

func avUpdateInput(username string) (*dynamodb.UpdateItemInput, error) {
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name("name"), expression.Value(updName)).
			Set(expression.Name("bio"), expression.Value(updBio)).
			Set(expression.Name("email"), expression.Value(updEmail)).
			Add(expression.Name("photos"), expression.Value(1))).
		WithCondition(expression.Name("_type").Equal(expression.Value("User")).
			And(expression.Name("photos").LessThan(expression.Value(photoQuota)))).
		Build()
	if err != nil {
		return nil, err
	}
	return &dynamodb.UpdateItemInput{
		TableName:                           aws.String("bench"),
		Key:                                 userKey(username),
		UpdateExpression:                    expr.Update(),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, nil
}

func avUpdate(ctx context.Context, c *dynamodb.Client, username string) (OpUser, error) {
	var u OpUser
	in, err := avUpdateInput(username)
	if err != nil {
		return u, err
	}
	out, err := c.UpdateItem(ctx, in)
	if err != nil {
		return u, err
	}
	return u, avDecode(out.Attributes, &u)
}

func avCounter(username, counter string) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name(counter), expression.Value(1))).
		WithCondition(expression.Name("_type").Equal(expression.Value("User"))).
		Build()
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                           aws.String("bench"),
		Key:                                 userKey(username),
		UpdateExpression:                    expr.Update(),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, err
}

func avTxInput(f *OpFollow) (*dynamodb.TransactWriteItemsInput, error) {
	item, err := avItem(f, "USER#"+f.Followed, "FOLLOW#"+f.Follower, "Follow")
	if err != nil {
		return nil, err
	}
	cond, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name("PK"))).Build()
	if err != nil {
		return nil, err
	}
	following, err := avCounter(f.Follower, "following")
	if err != nil {
		return nil, err
	}
	followers, err := avCounter(f.Followed, "followers")
	if err != nil {
		return nil, err
	}
	return &dynamodb.TransactWriteItemsInput{
		ClientRequestToken: aws.String(txToken()),
		TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{
				TableName:                           aws.String("bench"),
				Item:                                item,
				ConditionExpression:                 cond.Condition(),
				ExpressionAttributeNames:            cond.Names(),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
			following,
			followers,
		},
	}, nil
}

func avFollowTx(ctx context.Context, c *dynamodb.Client, f *OpFollow) error {
	in, err := avTxInput(f)
	if err != nil {
		return err
	}
	_, err = c.TransactWriteItems(ctx, in)
	return err
}
