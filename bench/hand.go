package bench

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The hand-written conversions: what a careful programmer writes for one
// struct, producing exactly attributevalue's output. They are the floor the
// generic codecs are measured against.

type (
	avS    = types.AttributeValueMemberS
	avN    = types.AttributeValueMemberN
	avBOOL = types.AttributeValueMemberBOOL
	avNULL = types.AttributeValueMemberNULL
	avL    = types.AttributeValueMemberL
	avM    = types.AttributeValueMemberM
)

func hNull() types.AttributeValue { return &avNULL{Value: true} }

func hTime(t time.Time) types.AttributeValue { return &avS{Value: t.Format(time.RFC3339Nano)} }

func hStrings(ss []string) types.AttributeValue {
	if ss == nil {
		return hNull()
	}
	l := make([]types.AttributeValue, len(ss))
	for i, s := range ss {
		l[i] = &avS{Value: s}
	}
	return &avL{Value: l}
}

func hIntMap(m map[string]int) types.AttributeValue {
	if m == nil {
		return hNull()
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		out[k] = &avN{Value: strconv.Itoa(v)}
	}
	return &avM{Value: out}
}

func hStringMap(m map[string]string) types.AttributeValue {
	if m == nil {
		return hNull()
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		out[k] = &avS{Value: v}
	}
	return &avM{Value: out}
}

func hFloat(f float64) types.AttributeValue {
	return &avN{Value: strconv.FormatFloat(f, 'f', -1, 64)}
}

// MarshalPhoto is the hand-written encoder of Photo.
func MarshalPhoto(p *Photo) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"Username":  &avS{Value: p.Username},
		"Timestamp": hTime(p.Timestamp),
		"URL":       &avS{Value: p.URL},
		"Reactions": hIntMap(p.Reactions),
		"Tags":      hStrings(p.Tags),
		"Width":     &avN{Value: strconv.Itoa(p.Width)},
		"Height":    &avN{Value: strconv.Itoa(p.Height)},
	}
}

// MarshalUser is the hand-written encoder of User.
func MarshalUser(u *User) map[string]types.AttributeValue {
	nick := hNull()
	if u.Nickname != nil {
		nick = &avS{Value: *u.Nickname}
	}
	return map[string]types.AttributeValue{
		"ID":          &avS{Value: u.ID},
		"Email":       &avS{Value: u.Email},
		"DisplayName": &avS{Value: u.DisplayName},
		"Bio":         &avS{Value: u.Bio},
		"Age":         &avN{Value: strconv.Itoa(u.Age)},
		"Followers":   &avN{Value: strconv.FormatInt(u.Followers, 10)},
		"Score":       hFloat(u.Score),
		"Balance":     hFloat(u.Balance),
		"Verified":    &avBOOL{Value: u.Verified},
		"CreatedAt":   hTime(u.CreatedAt),
		"LastLogin":   hTime(u.LastLogin),
		"Nickname":    nick,
		"Roles":       hStrings(u.Roles),
		"Prefs":       hStringMap(u.Prefs),
		"Address": &avM{Value: map[string]types.AttributeValue{
			"Street":   &avS{Value: u.Address.Street},
			"City":     &avS{Value: u.Address.City},
			"Country":  &avS{Value: u.Address.Country},
			"PostCode": &avS{Value: u.Address.PostCode},
		}},
		"Version": &avN{Value: strconv.Itoa(u.Version)},
	}
}

// Decoding helpers: each leaves the target alone when the attribute is
// missing, zeroes it on NULL, and rejects other types.

func dString(item map[string]types.AttributeValue, name string, out *string) error {
	switch v := item[name].(type) {
	case nil:
	case *avS:
		*out = v.Value
	case *avNULL:
		*out = ""
	default:
		return fmt.Errorf("%s: want S, got %T", name, v)
	}
	return nil
}

func dInt(item map[string]types.AttributeValue, name string, out *int64) error {
	switch v := item[name].(type) {
	case nil:
	case *avN:
		i, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*out = i
	case *avNULL:
		*out = 0
	default:
		return fmt.Errorf("%s: want N, got %T", name, v)
	}
	return nil
}

func dIntInto(item map[string]types.AttributeValue, name string, out *int) error {
	var i int64
	if _, ok := item[name]; !ok {
		return nil
	}
	if err := dInt(item, name, &i); err != nil {
		return err
	}
	*out = int(i)
	return nil
}

func dFloat(item map[string]types.AttributeValue, name string, out *float64) error {
	switch v := item[name].(type) {
	case nil:
	case *avN:
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*out = f
	case *avNULL:
		*out = 0
	default:
		return fmt.Errorf("%s: want N, got %T", name, v)
	}
	return nil
}

func dBool(item map[string]types.AttributeValue, name string, out *bool) error {
	switch v := item[name].(type) {
	case nil:
	case *avBOOL:
		*out = v.Value
	case *avNULL:
		*out = false
	default:
		return fmt.Errorf("%s: want BOOL, got %T", name, v)
	}
	return nil
}

func dTime(item map[string]types.AttributeValue, name string, out *time.Time) error {
	switch v := item[name].(type) {
	case nil:
	case *avS:
		t, err := time.Parse(time.RFC3339, v.Value)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*out = t
	case *avN:
		sec, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*out = time.Unix(sec, 0)
	case *avNULL:
		*out = time.Time{}
	default:
		return fmt.Errorf("%s: want S, got %T", name, v)
	}
	return nil
}

func dStrings(item map[string]types.AttributeValue, name string, out *[]string) error {
	switch v := item[name].(type) {
	case nil:
	case *avL:
		ss := make([]string, len(v.Value))
		for i, e := range v.Value {
			s, ok := e.(*avS)
			if !ok {
				return fmt.Errorf("%s[%d]: want S, got %T", name, i, e)
			}
			ss[i] = s.Value
		}
		*out = ss
	case *types.AttributeValueMemberSS:
		*out = append([]string(nil), v.Value...)
	case *avNULL:
		*out = nil
	default:
		return fmt.Errorf("%s: want L, got %T", name, v)
	}
	return nil
}

func dIntMap(item map[string]types.AttributeValue, name string, out *map[string]int) error {
	switch v := item[name].(type) {
	case nil:
	case *avM:
		m := make(map[string]int, len(v.Value))
		for k, e := range v.Value {
			n, ok := e.(*avN)
			if !ok {
				return fmt.Errorf("%s[%q]: want N, got %T", name, k, e)
			}
			i, err := strconv.Atoi(n.Value)
			if err != nil {
				return fmt.Errorf("%s[%q]: %w", name, k, err)
			}
			m[k] = i
		}
		*out = m
	case *avNULL:
		*out = nil
	default:
		return fmt.Errorf("%s: want M, got %T", name, v)
	}
	return nil
}

func dStringMap(item map[string]types.AttributeValue, name string, out *map[string]string) error {
	switch v := item[name].(type) {
	case nil:
	case *avM:
		m := make(map[string]string, len(v.Value))
		for k, e := range v.Value {
			s, ok := e.(*avS)
			if !ok {
				return fmt.Errorf("%s[%q]: want S, got %T", name, k, e)
			}
			m[k] = s.Value
		}
		*out = m
	case *avNULL:
		*out = nil
	default:
		return fmt.Errorf("%s: want M, got %T", name, v)
	}
	return nil
}

// UnmarshalPhoto is the hand-written decoder of Photo.
func UnmarshalPhoto(item map[string]types.AttributeValue, p *Photo) error {
	for _, err := range []error{
		dString(item, "Username", &p.Username),
		dTime(item, "Timestamp", &p.Timestamp),
		dString(item, "URL", &p.URL),
		dIntMap(item, "Reactions", &p.Reactions),
		dStrings(item, "Tags", &p.Tags),
		dIntInto(item, "Width", &p.Width),
		dIntInto(item, "Height", &p.Height),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalUser is the hand-written decoder of User.
func UnmarshalUser(item map[string]types.AttributeValue, u *User) error {
	if err := dString(item, "ID", &u.ID); err != nil {
		return err
	}
	if err := dString(item, "Email", &u.Email); err != nil {
		return err
	}
	if err := dString(item, "DisplayName", &u.DisplayName); err != nil {
		return err
	}
	if err := dString(item, "Bio", &u.Bio); err != nil {
		return err
	}
	if err := dIntInto(item, "Age", &u.Age); err != nil {
		return err
	}
	if err := dInt(item, "Followers", &u.Followers); err != nil {
		return err
	}
	if err := dFloat(item, "Score", &u.Score); err != nil {
		return err
	}
	if err := dFloat(item, "Balance", &u.Balance); err != nil {
		return err
	}
	if err := dBool(item, "Verified", &u.Verified); err != nil {
		return err
	}
	if err := dTime(item, "CreatedAt", &u.CreatedAt); err != nil {
		return err
	}
	if err := dTime(item, "LastLogin", &u.LastLogin); err != nil {
		return err
	}
	switch v := item["Nickname"].(type) {
	case nil:
	case *avS:
		s := v.Value
		u.Nickname = &s
	case *avNULL:
		u.Nickname = nil
	default:
		return fmt.Errorf("attribute Nickname: want S, got %T", v)
	}
	if err := dStrings(item, "Roles", &u.Roles); err != nil {
		return err
	}
	if err := dStringMap(item, "Prefs", &u.Prefs); err != nil {
		return err
	}
	switch v := item["Address"].(type) {
	case nil:
	case *avM:
		a := &u.Address
		for _, err := range []error{
			dString(v.Value, "Street", &a.Street),
			dString(v.Value, "City", &a.City),
			dString(v.Value, "Country", &a.Country),
			dString(v.Value, "PostCode", &a.PostCode),
		} {
			if err != nil {
				return fmt.Errorf("attribute Address: %w", err)
			}
		}
	case *avNULL:
		u.Address = User{}.Address
	default:
		return fmt.Errorf("attribute Address: want M, got %T", v)
	}
	return dIntInto(item, "Version", &u.Version)
}
