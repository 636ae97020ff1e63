package tablemap_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
)

// The shop entities serve the pure tests: requests built on a table with a
// nil client, and checked without DynamoDB.
type (
	// shopCustomer is one item per customer, with a version, timestamps,
	// and a sparse GSI1 entry by email.
	shopCustomer struct {
		_       struct{}  `tablemap:"Customer" pk:"CUSTOMER#{id}" sk:"PROFILE" gsi1pk:"EMAIL#{email}" gsi1sk:"CUSTOMER"`
		ID      string    `dynamo:"id"`
		Email   string    `dynamo:"email,omitempty"`
		Name    string    `dynamo:"name,omitempty"`
		Points  int       `dynamo:"points"`
		Balance uint32    `dynamo:"balance"`
		Tags    []string  `dynamo:"tags,omitempty,set"`
		Notes   []string  `dynamo:"notes,omitempty"`
		Version int       `dynamo:"v,version"`
		Created time.Time `dynamo:"created,created"`
		Updated time.Time `dynamo:"updated,updated"`
	}
	// shopOrder is an order: its own partition (shared with its lines and
	// payments), in GSI1 under its customer by time, and in a sparse GSI2
	// by status, then customer and time, while it has a status.
	shopOrder struct {
		_        struct{}  `tablemap:"Order" pk:"ORDER#{id}" sk:"ORDER" gsi1pk:"CUSTOMER#{customer}" gsi1sk:"{placed}" gsi2pk:"STATUS#{status}" gsi2sk:"{customer}#{placed}"`
		ID       string    `dynamo:"id"`
		Customer string    `dynamo:"customer"`
		Placed   time.Time `dynamo:"placed"`
		Status   string    `dynamo:"status,omitempty"`
		Total    int64     `dynamo:"total"`
	}
	// shopLine is a line of an order, numbered.
	shopLine struct {
		_     struct{} `tablemap:"Line" pk:"ORDER#{order}" sk:"LINE#{n}"`
		Order string   `dynamo:"order"`
		N     int      `dynamo:"n"`
		SKU   string   `dynamo:"sku"`
		Qty   int      `dynamo:"qty"`
	}
	// shopPayment is a payment of an order, by time.
	shopPayment struct {
		_      struct{}  `tablemap:"Payment" pk:"ORDER#{order}" sk:"PAYMENT#{at}"`
		Order  string    `dynamo:"order"`
		At     time.Time `dynamo:"at"`
		Amount int64     `dynamo:"amount"`
	}
	// shopSession expires: its ttl field is stored as epoch seconds.
	shopSession struct {
		_        struct{}  `tablemap:"Session" pk:"SESSION#{token}" sk:"SESSION"`
		Token    string    `dynamo:"token"`
		Customer string    `dynamo:"customer"`
		Expires  time.Time `dynamo:"expires,omitempty,ttl"`
	}
	// shopReview is a customer's review of a product, by product and
	// customer: many reviews, no order between them but the customer.
	shopReview struct {
		_        struct{} `tablemap:"Review" pk:"PRODUCT#{product}" sk:"REVIEW#{customer}"`
		Product  string   `dynamo:"product"`
		Customer string   `dynamo:"customer"`
		Stars    int      `dynamo:"stars"`
		Text     string   `dynamo:"text,omitempty"`
	}
)

// shopNow is the shop tables' clock.
var shopNow = time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC)

// shopTable is a table with no client and a fixed clock; opts add to it.
func shopTable(opts ...tablemap.TableOption) *tablemap.Table {
	return tablemap.NewTable(nil, "shop", append([]tablemap.TableOption{tablemap.WithClock(func() time.Time { return shopNow })}, opts...)...)
}

// shop is every shop entity defined on one table.
type shop struct {
	tbl       *tablemap.Table
	customers *tablemap.Entity[shopCustomer]
	orders    *tablemap.Entity[shopOrder]
	lines     *tablemap.Entity[shopLine]
	payments  *tablemap.Entity[shopPayment]
	sessions  *tablemap.Entity[shopSession]
	reviews   *tablemap.Entity[shopReview]
}

func newShop(t *testing.T, opts ...tablemap.TableOption) shop {
	t.Helper()
	tbl := shopTable(opts...)
	return shop{
		tbl:       tbl,
		customers: define[shopCustomer](t, tbl),
		orders:    define[shopOrder](t, tbl),
		lines:     define[shopLine](t, tbl),
		payments:  define[shopPayment](t, tbl),
		sessions:  define[shopSession](t, tbl),
		reviews:   define[shopReview](t, tbl),
	}
}

// timeKey is a time as key templates encode it.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// intKey is an integer as key templates encode it: 20 digits, or '-' and
// the 19 digits of 10^19 plus the value, so keys sort like numbers.
func intKey(n int64) string {
	if n >= 0 {
		return fmt.Sprintf("%020d", n)
	}
	return fmt.Sprintf("-%019d", 10_000_000_000_000_000_000-uint64(-n))
}

var placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)

// readable returns expression expr with its placeholders replaced by the
// names and values they stand for, so a test states a request's meaning
// whatever numbering the builder chose: (attribute_not_exists (PK)) OR
// (_type = "Order"). A placeholder with no entry is kept, and shows.
func readable(expr *string, names map[string]string, values map[string]types.AttributeValue) string {
	return placeholder.ReplaceAllStringFunc(aws.ToString(expr), func(p string) string {
		if p[0] == '#' {
			if n, ok := names[p]; ok {
				return n
			}
			return p
		}
		if v, ok := values[p]; ok {
			return avText(v)
		}
		return p
	})
}

// avText renders an attribute value as the tests write it: strings quoted,
// numbers bare, sets and lists in brackets.
func avText(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return v.Value
	case *types.AttributeValueMemberBOOL:
		return strconv.FormatBool(v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("<%d bytes>", len(v.Value))
	case *types.AttributeValueMemberSS:
		q := make([]string, len(v.Value))
		for i, s := range v.Value {
			q[i] = strconv.Quote(s)
		}
		return "SS[" + strings.Join(q, " ") + "]"
	case *types.AttributeValueMemberNS:
		return "NS[" + strings.Join(v.Value, " ") + "]"
	case *types.AttributeValueMemberL:
		q := make([]string, len(v.Value))
		for i, e := range v.Value {
			q[i] = avText(e)
		}
		return "L[" + strings.Join(q, " ") + "]"
	case *types.AttributeValueMemberM:
		keys := make([]string, 0, len(v.Value))
		for k := range v.Value {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			keys[i] = k + ":" + avText(v.Value[k])
		}
		return "M{" + strings.Join(keys, " ") + "}"
	}
	return fmt.Sprintf("%T", v)
}

// epoch is a time as a ttl attribute stores it.
func epoch(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// errorNames checks err is an error wrapping target whose message holds
// every one of parts (the entity, field or key it must name).
func errorNames(t *testing.T, err, target error, parts ...string) {
	t.Helper()
	wantErr(t, err, target)
	if err == nil {
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not name %q", err, p)
		}
	}
}

// shopCard is a customer's payment card, its number encrypted.
type shopCard struct {
	_        struct{} `tablemap:"Card" pk:"CUSTOMER#{customer}" sk:"CARD#{last4}"`
	Customer string   `dynamo:"customer"`
	Last4    string   `dynamo:"last4"`
	Number   string   `dynamo:"number,encrypted"`
	Holder   string   `dynamo:"holder,omitempty"`
}

// testCipher is a LocalKey cipher under a fixed test key.
func testCipher(t *testing.T) tablemap.Cipher {
	t.Helper()
	c, err := tablemap.LocalKey([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sameCond checks condition got means want, up to how ANDs nest and their
// order: both are split into their conjuncts, which must be equal sets.
func sameCond(t *testing.T, what, want, got string) {
	t.Helper()
	if d := cmp.Diff(conjuncts(want), conjuncts(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s\nwant %s\ngot  %s", what, d, want, got)
	}
}

// conjuncts returns the terms an expression ANDs, sorted, each without
// enclosing parentheses; a BETWEEN's AND is not a conjunction.
func conjuncts(s string) []string {
	s = strings.TrimSpace(s)
	for enclosed(s) {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	var parts []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.HasPrefix(s[i:], " AND ") && !strings.Contains(s[start:i], " BETWEEN "):
			parts = append(parts, s[start:i])
			start = i + len(" AND ")
		}
	}
	if len(parts) == 0 {
		return []string{s}
	}
	var out []string
	for _, p := range append(parts, s[start:]) {
		out = append(out, conjuncts(p)...)
	}
	slices.Sort(out)
	return out
}

// enclosed reports whether s is one parenthesized expression.
func enclosed(s string) bool {
	if !strings.HasPrefix(s, "(") {
		return false
	}
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i == len(s)-1
			}
		}
	}
	return false
}
