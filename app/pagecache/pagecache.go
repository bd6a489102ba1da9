// Package pagecache keeps rendered page bodies in memory, bounded by their
// size in bytes, least recently used first out. A key names everything a
// body shows (page, reader, language, zone, address and the database's
// change stamp, see models.PageStamp); an entry also says from when until
// when it is true, for pages that change with the clock alone ("due in 5
// hours", a deadline passing). Concurrent misses of one key render once.
//
// hashicorp/golang-lru bounds entries by count, not by bytes; a review
// matrix body is 1.7 MB and a dashboard 9 KB, so the cache counts bytes
// itself (container/list) and uses golang.org/x/sync/singleflight for the
// misses.
package pagecache

import (
	"container/list"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Entry is one rendered page body.
type Entry struct {
	// Parts is the body split where the request's CSRF token goes: the
	// body is the same for every session of a reader, the token is not.
	Parts []string
	// Title and Flash are what the layout shows of the page's data.
	Title string
	Flash string
	// From and Until bound the clock readings the body is true at:
	// From <= now < Until.
	From, Until time.Time
}

// AppendBody appends the entry's body with token where the CSRF token
// goes to dst.
func (e *Entry) AppendBody(dst []byte, token string) []byte {
	for i, p := range e.Parts {
		if i > 0 {
			dst = append(dst, token...)
		}
		dst = append(dst, p...)
	}
	return dst
}

// Len is the length of the body with a token of tokenLen bytes.
func (e *Entry) Len(tokenLen int) int {
	n := (len(e.Parts) - 1) * tokenLen
	for _, p := range e.Parts {
		n += len(p)
	}
	return n
}

// ValidAt reports whether the body is true at now.
func (e *Entry) ValidAt(now time.Time) bool {
	return !now.Before(e.From) && now.Before(e.Until)
}

func (e *Entry) size() int {
	n := len(e.Title) + len(e.Flash) + 128
	for _, p := range e.Parts {
		n += len(p)
	}
	return n
}

type item struct {
	key   string
	entry *Entry
	size  int
}

// Cache is a bounded set of entries by key. The zero value is not usable;
// call New.
type Cache struct {
	max int

	mu    sync.Mutex
	used  int
	order *list.List // front: most recently used
	items map[string]*list.Element

	fills singleflight.Group

	hits, misses atomic.Int64
}

// New returns a cache of at most maxBytes of entries.
func New(maxBytes int) *Cache {
	return &Cache{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the entry of key when there is one true at now.
func (c *Cache) Get(key string, now time.Time) (*Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	it := el.Value.(*item)
	if !it.entry.ValidAt(now) {
		c.remove(el)
		c.misses.Add(1)
		return nil, false
	}
	c.order.MoveToFront(el)
	c.hits.Add(1)
	return it.entry, true
}

// Fill renders key's entry with render and keeps it; callers that miss
// the same key at the same time wait for one render and share it.
func (c *Cache) Fill(key string, render func() (*Entry, error)) (*Entry, error) {
	v, err, _ := c.fills.Do(key, func() (any, error) {
		e, err := render()
		if err != nil {
			return nil, err
		}
		c.put(key, e)
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Entry), nil
}

func (c *Cache) put(key string, e *Entry) {
	size := e.size()
	if size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.order.PushFront(&item{key: key, entry: e, size: size})
	c.used += size
	for c.used > c.max {
		c.remove(c.order.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	it := el.Value.(*item)
	c.order.Remove(el)
	delete(c.items, it.key)
	c.used -= it.size
}

// Stats returns the hits, the misses and the bytes held.
func (c *Cache) Stats() (hits, misses int64, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits.Load(), c.misses.Load(), c.used
}
