package codec

import "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

// ItemSize returns the size of an item as DynamoDB counts it: the UTF-8
// length of every attribute name plus the size of its value.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, av := range item {
		n += len(name) + ValueSize(av)
	}
	return n
}

// ValueSize returns the size of one attribute value (see "Item sizes" in
// the DynamoDB Developer Guide).
func ValueSize(av types.AttributeValue) int {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return NumberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		return TotalLen(v.Value)
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += NumberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		return TotalLen(v.Value)
	case *types.AttributeValueMemberL:
		n := 3 // a list or map costs 3 bytes besides its contents
		for _, e := range v.Value {
			n += ValueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		return 3 + ItemSize(v.Value)
	}
	return 0
}

// TotalLen returns the sum of the lengths of a set's strings or binaries.
func TotalLen[E string | []byte](set []E) int {
	n := 0
	for _, e := range set {
		n += len(e)
	}
	return n
}

// NumberSize is 1 byte per two significant digits plus 1 byte; leading and
// trailing zeros are not significant.
func NumberSize(s string) int {
	first, last, n := -1, -1, 0 // positions among the digits of the mantissa
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 'e' || c == 'E' {
			break
		}
		if c < '0' || c > '9' {
			continue
		}
		if c != '0' {
			if first < 0 {
				first = n
			}
			last = n
		}
		n++
	}
	significant := 0
	if first >= 0 {
		significant = last - first + 1
	}
	return (significant+1)/2 + 1
}
