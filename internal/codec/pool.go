package codec

import "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

// A pool hands out the members (or list elements) of an Encoder's values
// from blocks: a batch's items cost an allocation per block rather than
// one per value. After a rewind it hands out its block again from the
// start, grown to what was handed out since the last rewind, so that an
// encoder rewound after each request of a batch allocates nothing once
// the first request has sized it.
type pool[M any] struct {
	free  []M // the rest of the block in use
	block []M // the block in use, whole
	used  int // members handed out since the last rewind
}

// take returns one member.
func (p *pool[M]) take() *M {
	if len(p.free) == 0 {
		p.next(1)
	}
	m := &p.free[0]
	p.free = p.free[1:]
	p.used++
	return m
}

// takeN returns n members, which are the caller's to fill.
func (p *pool[M]) takeN(n int) []M {
	if len(p.free) < n {
		p.next(n)
	}
	ms := p.free[:n:n]
	p.free = p.free[n:]
	p.used += n
	return ms
}

// next starts a new block with room for at least n members.
func (p *pool[M]) next(n int) {
	p.block = make([]M, max(n, memberBlock))
	p.free = p.block
}

// rewind makes the members handed out the pool's to hand out again.
// After a round of more than keepMembers, it keeps no block: an encoder
// kept for reuse should not hold the memory of its largest round forever.
func (p *pool[M]) rewind() {
	switch {
	case p.used > keepMembers:
		p.block = nil
	case p.used > len(p.block):
		p.block = make([]M, p.used)
	default:
		clear(p.block) // no value kept alive by a member no longer used
	}
	p.free, p.used = p.block, 0
}

// textRoom is the most room (see encState.room) a value's text asks for.
const textRoom = 48

// The most members of one kind, and bytes of text, that a Reset keeps for
// the next round (a batch request of 25 ordinary items needs a few hundred
// members and a few kilobytes).
const (
	keepMembers = 1 << 12
	keepText    = 1 << 16
)

// memberBlock is how many members a block of a pool holds at first.
const memberBlock = 64

// Reset makes the encoder hand out again the memory of the values it has
// encoded so far — their members, list elements and text — rather than
// new memory: those values, and every item holding them, must no longer
// be used. A batch resets its encoder once a request is sent.
func (enc *Encoder) Reset() {
	e := enc.e
	if e == nil {
		return
	}
	e.pools.ss.rewind()
	e.pools.ns.rewind()
	e.pools.ls.rewind()
	e.pools.lm.rewind()
	switch n := e.spilled + len(e.buf); {
	case n > keepText:
		e.buf = e.arena[:0]
	case n > cap(e.buf):
		e.buf = make([]byte, 0, n+textRoom) // room's margin: the same text fits again
	}
	e.buf, e.spilled, e.depth = e.buf[:0], 0, 0
}

// The members of an Encoder's state.
type (
	strPool  = pool[types.AttributeValueMemberS]
	numPool  = pool[types.AttributeValueMemberN]
	listPool = pool[types.AttributeValue]
)
