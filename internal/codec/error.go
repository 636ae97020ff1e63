package codec

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// ErrInvalidValue reports a Go value or an attribute value the codec
// refuses rather than let it be stored or read wrongly: a string that is not
// valid UTF-8, a value nested deeper than MaxDepth (a cycle), a nil
// *types.AttributeValueMember… inside an item. Errors wrapping it are found
// before any request is sent.
var ErrInvalidValue = errors.New("invalid value")

// invalidf is a cause wrapping ErrInvalidValue.
func invalidf(format string, args ...any) error {
	return &Error{Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidValue}, args...)...)}
}

// quote quotes at most about 100 bytes of s, for messages.
func quote(s string) string {
	if len(s) > 100 {
		return fmt.Sprintf("%q…", s[:100])
	}
	return fmt.Sprintf("%q", s)
}

// Error reports a value or a struct definition the codec cannot handle. It
// names the Go type and the path of the field inside it, as in
// "Profile.Address.PostCode: cannot decode BOOL into string".
type Error struct {
	Type reflect.Type // the outermost Go type being encoded, decoded or compiled
	Path string       // Go path inside Type: "Address.PostCode", "Tags[2]", `Prefs["x"]`; empty for Type itself
	Err  error        // what went wrong
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tablemap: ")
	if e.Type != nil {
		if name := e.Type.Name(); name != "" {
			b.WriteString(name)
		} else {
			b.WriteString(e.Type.String())
		}
	}
	if e.Path != "" {
		if e.Type != nil && e.Path[0] != '[' {
			b.WriteByte('.')
		}
		b.WriteString(elide(e.Path))
	}
	if e.Type != nil || e.Path != "" {
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// elide shortens a long path (a cyclic value's) to its two ends.
func elide(path string) string {
	const keep = 60
	if len(path) <= 2*keep+10 {
		return path
	}
	head, tail := keep, len(path)-keep
	for head > 0 && !utf8.RuneStart(path[head]) {
		head--
	}
	for tail < len(path) && !utf8.RuneStart(path[tail]) {
		tail++
	}
	return path[:head] + "…" + path[tail:]
}

// errorf is a cause without a location; callers on the way out add the path
// and the type.
func errorf(format string, args ...any) error {
	return &Error{Err: fmt.Errorf(format, args...)}
}

// within puts err inside the struct type t at field path, keeping the path
// already recorded deeper down.
func within(err error, t reflect.Type, path string) error {
	e, ok := err.(*Error)
	if !ok {
		return &Error{Type: t, Path: path, Err: err}
	}
	e.Path = joinPath(path, e.Path)
	e.Type = t
	return e
}

// at prefixes err's path with an element step ("[3]", `["key"]`).
func at(err error, step string) error {
	e, ok := err.(*Error)
	if !ok {
		return &Error{Path: step, Err: err}
	}
	e.Path = joinPath(step, e.Path)
	return e
}

// top names the outermost type when nothing deeper did.
func top(err error, t reflect.Type) error {
	if err == nil {
		return nil
	}
	e, ok := err.(*Error)
	if !ok {
		return &Error{Type: t, Err: err}
	}
	if e.Type == nil {
		e.Type = t
	}
	return e
}

func joinPath(outer, inner string) string {
	switch {
	case inner == "":
		return outer
	case outer == "":
		return inner
	case inner[0] == '[':
		return outer + inner
	}
	return outer + "." + inner
}

func typeError(av string, t reflect.Type) error {
	return errorf("cannot decode %s into %s", av, t)
}

// cloneErr copies a cached *Error so callers may add to its path.
func cloneErr(err error) error {
	if e, ok := err.(*Error); ok {
		c := *e
		return &c
	}
	return err
}
