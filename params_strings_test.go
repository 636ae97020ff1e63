package tablemap_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/google/go-cmp/cmp"

	"github.com/tablemap/tablemap"
)

// eachString calls f with every string a request points to: its *string
// fields (table name, expressions, token …) and the values of its string
// maps (names), inside nested structs and lists (transaction items) too.
func eachString(v reflect.Value, f func(s *string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Elem().Kind() == reflect.String {
			f(v.Interface().(*string))
			return
		}
		eachString(v.Elem(), f)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				eachString(v.Field(i), f)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			eachString(v.Index(i), f)
		}
	case reflect.Map:
		if v.Type().Elem().Kind() == reflect.String {
			for _, k := range v.MapKeys() {
				s := v.MapIndex(k).String()
				f(&s)
				v.SetMapIndex(k, reflect.ValueOf(s))
			}
		}
	}
}

// TestParamsStringsAreTheCallers: every string a Params result points to
// is the caller's, not the cached shape's or the table's: a caller
// writing through the expression pointers of one Params (to reuse the
// request, say) changes nothing later requests of the same shape send.
func TestParamsStringsAreTheCallers(t *testing.T) {
	t.Parallel()
	sh := newShop(t)
	cond := func() expression.ConditionBuilder { return expression.Name("points").LessThan(expression.Value(10)) }
	cases := map[string]func() (any, error){
		"Put": func() (any, error) { return sh.customers.Put(shopCustomer{ID: "c1"}).IfNotExists().Params() },
		"Update": func() (any, error) {
			return sh.customers.Update(shopCustomer{ID: "c1"}).Set("name", "Ann").If(cond()).Params()
		},
		"Delete": func() (any, error) { return sh.customers.Delete(shopCustomer{ID: "c1"}).If(cond()).Params() },
		"Check":  func() (any, error) { return sh.customers.Check(shopCustomer{ID: "c1"}).Exists().Params() },
		"Query": func() (any, error) {
			return sh.customers.Query(shopCustomer{ID: "c1"}).Filter(cond()).Project("name").Params()
		},
		"Get": func() (any, error) { return sh.customers.Get(shopCustomer{ID: "c1"}).Project("name").Params() },
		"ReadTx": func() (any, error) {
			tx := sh.tbl.ReadTx()
			tablemap.TxGet(tx, sh.customers.Get(shopCustomer{ID: "c1"}).Project("name"))
			return tx.Params()
		},
		"Scan": func() (any, error) { return sh.customers.Scan().Filter(cond()).Project("name").Params() },
		"WriteTx": func() (any, error) {
			return sh.tbl.WriteTx().Put(sh.customers.Put(shopCustomer{ID: "c2"}).IfNotExists()).
				Update(sh.customers.Update(shopCustomer{ID: "c1"}).Incr("points", 1)).Params()
		},
	}
	for name, params := range cases {
		strings := func() []string {
			in, err := params()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var out []string
			eachString(reflect.ValueOf(in), func(s *string) { out = append(out, *s) })
			slices.Sort(out) // maps iterate in any order
			return out
		}
		want := strings()
		in, err := params()
		if err != nil {
			t.Fatal(err)
		}
		eachString(reflect.ValueOf(in), func(s *string) { *s = "scribbled" })
		if d := cmp.Diff(want, strings()); d != "" {
			t.Errorf("%s: a request after a caller wrote through an earlier Params (-want +got):\n%s", name, d)
		}
	}
}
