package resolver

import (
	"container/list"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Shared is a cache of answers for a batch of probes, in front of the
// batch's resolver: many domains ask the same questions (the root's and
// the TLDs' keys, a hoster's mail server and its TLSA, Team Cymru's origin
// of a shared address). It keeps an answer for its TTL, as the recursive
// resolver behind it would, and at most size answers, the least recently
// used going first. Only answers are kept, not errors: one domain's
// timeout is not another's. Identical questions asked at once are asked
// once. It is safe for concurrent use; the messages it returns are shared
// and must not be modified.
type Shared struct {
	q    Querier
	size int
	now  func() time.Time

	mu       sync.Mutex
	lru      *list.List // of *sharedEntry, most recent first
	entries  map[cacheKey]*list.Element
	inflight map[cacheKey]*cacheEntry
}

type sharedEntry struct {
	key     cacheKey
	msg     *dns.Msg
	expires time.Time
}

// NewShared returns an empty batch cache of at most size answers in front
// of q; now is the clock for TTLs.
func NewShared(q Querier, size int, now func() time.Time) *Shared {
	return &Shared{q: q, size: size, now: now, lru: list.New(),
		entries: make(map[cacheKey]*list.Element), inflight: make(map[cacheKey]*cacheEntry)}
}

// Query answers from the cache while the answer's TTL lasts, or asks q.
func (s *Shared) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	key := cacheKey{strings.ToLower(dns.Fqdn(name)), qtype}
	s.mu.Lock()
	if el, ok := s.entries[key]; ok {
		e := el.Value.(*sharedEntry)
		if s.now().Before(e.expires) {
			s.lru.MoveToFront(el)
			s.mu.Unlock()
			return e.msg, nil
		}
		s.lru.Remove(el)
		delete(s.entries, key)
	}
	if f, ok := s.inflight[key]; ok {
		s.mu.Unlock()
		select {
		case <-f.done:
			if f.err != nil {
				// The one who asked failed; this caller asks for itself.
				return s.q.Query(ctx, name, qtype)
			}
			return f.msg, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("dns %s %s: %w", dns.TypeToString[qtype], name, ctx.Err())
		}
	}
	f := &cacheEntry{done: make(chan struct{})}
	s.inflight[key] = f
	s.mu.Unlock()

	f.msg, f.err = s.q.Query(ctx, name, qtype)
	s.mu.Lock()
	delete(s.inflight, key)
	if ttl, ok := minTTL(f.msg); f.err == nil && ok && ttl > 0 {
		s.entries[key] = s.lru.PushFront(&sharedEntry{key: key, msg: f.msg, expires: s.now().Add(ttl)})
		for s.lru.Len() > s.size {
			old := s.lru.Remove(s.lru.Back()).(*sharedEntry)
			delete(s.entries, old.key)
		}
	}
	s.mu.Unlock()
	close(f.done)
	return f.msg, f.err
}

// minTTL is the smallest TTL of the records in m's answer and authority
// sections: how long the whole answer may be reused. An answer without
// records (a bare error code) is not kept.
func minTTL(m *dns.Msg) (time.Duration, bool) {
	if m == nil {
		return 0, false
	}
	least, found := uint32(0), false
	for _, section := range [][]dns.RR{m.Answer, m.Ns} {
		for _, rr := range section {
			if ttl := rr.Header().Ttl; !found || ttl < least {
				least, found = ttl, true
			}
		}
	}
	return time.Duration(least) * time.Second, found
}
