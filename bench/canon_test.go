package bench

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The agreement test compares the requests of the implementations in a
// canonical form: placeholders of expressions replaced by the names and
// values they stand for, the order of AND terms, of update actions and of
// projected attributes ignored, and the value of an idempotency token (a
// random string) replaced by "<token>".

var (
	placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)
	updateKW    = regexp.MustCompile(`\b(SET|ADD|REMOVE|DELETE)\b`)
	blank       = strings.NewReplacer(" ", "", "\n", "", "\t", "", "(", "", ")", "")
)

// canonical returns the requests in canonical form, sorted (concurrent
// implementations send them in any order). Parameters set to their
// default are dropped, and the legacy KeyConditions (guregu's) become a
// key condition expression. With noFailureValues, a request's
// ReturnValuesOnConditionCheckFailure is dropped: guregu cannot ask for
// it, and it changes only the answer to a failed condition.
func canonical(t *testing.T, reqs []Request, noFailureValues bool) []string {
	t.Helper()
	out := make([]string, len(reqs))
	for i, r := range reqs {
		d := json.NewDecoder(bytes.NewReader(r.Body))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v", r.Op, err)
		}
		canonValue(t, v, noFailureValues)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = r.Op + " " + string(b)
	}
	slices.Sort(out)
	return out
}

func canonValue(t *testing.T, v any, noFailureValues bool) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			canonValue(t, e, noFailureValues)
		}
	case map[string]any:
		for _, e := range v {
			canonValue(t, e, noFailureValues)
		}
		if v["ReturnValues"] == "NONE" {
			delete(v, "ReturnValues")
		}
		if v["ConsistentRead"] == false {
			delete(v, "ConsistentRead")
		}
		if noFailureValues {
			delete(v, "ReturnValuesOnConditionCheckFailure")
		}
		canonExpressions(t, v)
		canonKeyConditions(v) // after: its values are not placeholders
		if tok, ok := v["ClientRequestToken"].(string); ok && tok != "" {
			v["ClientRequestToken"] = "<token>"
		}
	}
}

// canonExpressions rewrites the expressions of one request object.
func canonExpressions(t *testing.T, req map[string]any) {
	names, _ := req["ExpressionAttributeNames"].(map[string]any)
	values, _ := req["ExpressionAttributeValues"].(map[string]any)
	used := map[string]bool{}
	subst := func(s string) string {
		return placeholder.ReplaceAllStringFunc(s, func(p string) string {
			used[p] = true
			if p[0] == '#' {
				if n, ok := names[p].(string); ok {
					return n
				}
			} else if v, ok := values[p]; ok {
				b, _ := json.Marshal(v)
				return string(b)
			}
			return "<unknown " + p + ">"
		})
	}
	for _, f := range []string{"KeyConditionExpression", "FilterExpression", "ConditionExpression"} {
		if e, ok := req[f].(string); ok {
			req[f] = canonTerms(e, " AND ", subst)
		}
	}
	if e, ok := req["ProjectionExpression"].(string); ok {
		req["ProjectionExpression"] = canonTerms(e, ",", subst)
	}
	if e, ok := req["UpdateExpression"].(string); ok {
		req["UpdateExpression"] = canonUpdate(e, subst)
	}
	for p := range names {
		if !used[p] {
			t.Errorf("name %s is not used", p)
		}
	}
	for p := range values {
		if !used[p] {
			t.Errorf("value %s is not used", p)
		}
	}
	delete(req, "ExpressionAttributeNames")
	delete(req, "ExpressionAttributeValues")
}

// canonTerms splits e at sep (top-level conjunctions only: the benchmark
// has no OR), normalizes each term and sorts them.
func canonTerms(e, sep string, subst func(string) string) string {
	terms := strings.Split(e, sep)
	for i, term := range terms {
		terms[i] = blank.Replace(subst(term))
	}
	slices.Sort(terms)
	return strings.Join(terms, " AND ")
}

// canonUpdate sorts the clauses of an update expression and the actions
// of each clause.
func canonUpdate(e string, subst func(string) string) string {
	kws := updateKW.FindAllStringIndex(e, -1)
	var clauses []string
	for i, kw := range kws {
		end := len(e)
		if i+1 < len(kws) {
			end = kws[i+1][0]
		}
		var actions []string
		for _, a := range splitTop(e[kw[1]:end]) {
			actions = append(actions, blank.Replace(subst(a)))
		}
		slices.Sort(actions)
		clauses = append(clauses, e[kw[0]:kw[1]]+" "+strings.Join(actions, "; "))
	}
	slices.Sort(clauses)
	return strings.Join(clauses, " | ")
}

// splitTop splits s at the commas outside parentheses.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// canonKeyConditions rewrites legacy KeyConditions (EQ, BEGINS_WITH, BETWEEN)
// as the canonical form of a key condition expression.
func canonKeyConditions(req map[string]any) {
	kcs, ok := req["KeyConditions"].(map[string]any)
	if !ok {
		return
	}
	var terms []string
	for attr, kc := range kcs {
		kc, _ := kc.(map[string]any)
		vals, _ := kc["AttributeValueList"].([]any)
		if op := kc["ComparisonOperator"]; op == "BETWEEN" && len(vals) == 2 {
			lo, _ := json.Marshal(vals[0])
			hi, _ := json.Marshal(vals[1])
			terms = append(terms, attr+"BETWEEN"+string(lo)+" AND "+string(hi))
			continue
		}
		if len(vals) != 1 {
			return
		}
		v, _ := json.Marshal(vals[0])
		switch kc["ComparisonOperator"] {
		case "EQ":
			terms = append(terms, attr+"="+string(v))
		case "BEGINS_WITH":
			terms = append(terms, "begins_with"+attr+","+string(v))
		default:
			return
		}
	}
	slices.Sort(terms)
	req["KeyConditionExpression"] = strings.Join(terms, " AND ")
	delete(req, "KeyConditions")
}
