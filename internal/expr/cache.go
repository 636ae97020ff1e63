package expr

import (
	"maps"
	"sync"
	"sync/atomic"
)

// A Cache keeps the Compiled form of each shape under a comparable key the
// caller computes cheaply (say, a struct of an entity pointer and flags for
// the optional parts of its request). The key must determine the Shape: two
// shapes under one key would share one rendering, a silent wrong answer.
// The zero Cache is ready to use and safe for concurrent use.
//
// Reads take no lock and do not allocate (a sync.Map would box a struct key
// into an interface on every lookup). Adding a shape copies the map, so a
// Cache suits what it is made for: a small set of shapes, fixed by the code
// and the schema, never by request values.
type Cache[K comparable] struct {
	mu sync.Mutex // serializes adds
	m  atomic.Pointer[map[K]*Compiled]
}

// Get returns the Compiled shape of key, compiling shape() on first use.
// An error is not kept: a shape that fails to compile fails every time.
func (c *Cache[K]) Get(key K, shape func() Shape) (*Compiled, error) {
	if m := c.m.Load(); m != nil {
		if comp, ok := (*m)[key]; ok {
			return comp, nil
		}
	}
	return c.add(key, shape)
}

func (c *Cache[K]) add(key K, shape func() Shape) (*Compiled, error) {
	comp, err := Compile(shape())
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if prev, ok := (*old)[key]; ok {
			return prev, nil // compiled meanwhile by another goroutine
		}
	}
	n := 0
	if old != nil {
		n = len(*old)
	}
	m := make(map[K]*Compiled, n+1)
	if old != nil {
		maps.Copy(m, *old)
	}
	m[key] = comp
	c.m.Store(&m)
	return comp, nil
}
