// Package ulid makes time-ordered identifiers: 26 characters of Crockford
// base32, 48 bits of milliseconds then 80 random bits (the ULID layout).
// Identifiers from one Generator increase strictly, also within one
// millisecond, so sorting ids sorts by creation and two writes in the same
// instant never share an id.
package ulid

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Generator makes strictly increasing ids. The zero value is ready to use
// and safe for concurrent use.
type Generator struct {
	mu   sync.Mutex
	ms   uint64
	hi   uint16 // the top 16 of the 80 random bits
	lo   uint64 // the low 64
	Now  func() time.Time
	init bool
}

var std Generator

// New returns a new id from a process-wide generator.
func New() string { return std.New() }

// Time returns the creation time an id records, to the millisecond.
func Time(id string) (time.Time, bool) {
	if len(id) != 26 {
		return time.Time{}, false
	}
	var ms uint64
	for i := 0; i < 10; i++ {
		v := indexOf(id[i])
		if v < 0 {
			return time.Time{}, false
		}
		ms = ms<<5 | uint64(v)
	}
	return time.UnixMilli(int64(ms)).UTC(), true
}

func indexOf(c byte) int {
	for i := 0; i < len(alphabet); i++ {
		if alphabet[i] == c {
			return i
		}
	}
	return -1
}

// New returns an id greater than every id g returned before.
func (g *Generator) New() string {
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	ms := uint64(now().UnixMilli())
	g.mu.Lock()
	if ms > g.ms || !g.init {
		var b [10]byte
		_, _ = rand.Read(b[:])
		g.ms, g.hi, g.lo, g.init = ms, binary.BigEndian.Uint16(b[:2]), binary.BigEndian.Uint64(b[2:]), true
	} else {
		// Same (or an earlier, if the clock stepped back) millisecond:
		// keep the last time and count up the random part.
		g.lo++
		if g.lo == 0 {
			g.hi++
		}
	}
	ms, hi, lo := g.ms, g.hi, g.lo
	g.mu.Unlock()
	return encode(ms, hi, lo)
}

func encode(ms uint64, hi uint16, lo uint64) string {
	var out [26]byte
	for i := 9; i >= 0; i-- {
		out[i] = alphabet[ms&31]
		ms >>= 5
	}
	// 80 random bits as 16 characters of 5 bits, most significant first.
	for i := 25; i >= 10; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | uint64(hi&31)<<59
		hi >>= 5
	}
	return string(out[:])
}
