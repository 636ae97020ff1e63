package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A VerifyReport is what a verification pass found: every item of the
// entity must decode and store the keys its templates build from it.
type VerifyReport struct {
	Checked    int64
	Mismatched int64
	Mismatches []VerifyMismatch // the first maxListed
}

// A VerifyMismatch is an item that does not decode, or whose stored keys
// are not its templates'.
type VerifyMismatch struct {
	Key     Key
	Problem string
}

// verify scans every item of To, in Segments segments, through the read
// limiter.
func (m *Migration) verify(ctx context.Context) (VerifyReport, error) {
	var (
		mu  sync.Mutex
		rep VerifyReport
		wg  sync.WaitGroup
	)
	errs := make([]error, m.Segments)
	for i := range m.Segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var start map[string]types.AttributeValue
			for {
				page, err := m.scanPage(ctx, m.To, i, start)
				if err != nil {
					errs[i] = err
					return
				}
				for _, item := range page.items {
					problem := m.To.CheckItem(ctx, item)
					mu.Lock()
					rep.add(m.To.Table, item, problem)
					mu.Unlock()
				}
				if start = page.last; start == nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return rep, errors.Join(errs...)
}

func (r *VerifyReport) add(t *Table, item map[string]types.AttributeValue, problem string) {
	r.Checked++
	if problem == "" {
		return
	}
	r.Mismatched++
	if len(r.Mismatches) < maxListed {
		k, _ := t.ItemKey(item)
		r.Mismatches = append(r.Mismatches, VerifyMismatch{Key: k, Problem: problem})
	}
}

// CheckItem returns what is wrong with a stored item of the entity, or
// "": it must decode (its encrypted attributes open at its key), and its
// table and index keys must be those its templates build from its value,
// with no key attribute of an index the entity does not declare.
func (s *Schema) CheckItem(ctx context.Context, item map[string]types.AttributeValue) string {
	p := reflect.New(s.Typ).UnsafePointer()
	if err := s.DecodeInto(ctx, item, p); err != nil {
		return fmt.Sprintf("does not decode: %v", err)
	}
	k, err := s.Key(p)
	if err != nil {
		return fmt.Sprintf("no table key: %v", err)
	}
	t := s.Table
	want := map[string]string{t.PK: k.PK, t.SK: k.SK}
	for _, g := range s.GSIs {
		pk, sk, ok, err := g.Build(p)
		if err != nil {
			return fmt.Sprintf("no %s key: %v", g.Name, err)
		}
		if ok {
			want[g.PKAttr] = pk
			if g.SK != nil {
				want[g.SKAttr] = sk
			}
		}
	}
	attrs := []string{t.PK, t.SK}
	for n := 1; n <= MaxGSIs; n++ {
		pk, sk := t.GSIAttrs(n)
		attrs = append(attrs, pk, sk)
	}
	for _, a := range attrs {
		w, wanted := want[a]
		got, stored := item[a].(*types.AttributeValueMemberS)
		switch {
		case wanted && !stored:
			return fmt.Sprintf("%s missing, want %.100q", a, w)
		case !wanted && item[a] != nil:
			return fmt.Sprintf("%s stored, but no template of %s builds it", a, s.Name)
		case wanted && got.Value != w:
			return fmt.Sprintf("%s is %.100q, want %.100q", a, got.Value, w)
		}
	}
	return ""
}
