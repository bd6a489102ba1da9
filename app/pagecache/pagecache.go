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
	"bytes"
	"compress/flate"
	"container/list"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

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

	// gz is Parts deflated each on its own (see Compress).
	gz [][]byte
}

// MinCompress is the body size from which a page is worth compressing.
const MinCompress = 64 << 10

// Compress keeps each part deflated on its own, a fresh compressor per
// part and each ending on a byte boundary (a sync flush), so AppendGzip
// can join them around a request's token in a block of its own, stored
// uncompressed. The token is never compressed together with anything, so
// no size of the answer tells anything about it (BREACH), and a hit costs
// a CRC pass, not a compression. Call it before the entry is shared.
func (e *Entry) Compress() error {
	e.gz = make([][]byte, len(e.Parts))
	var buf bytes.Buffer
	for i, p := range e.Parts {
		buf.Reset()
		w, err := flate.NewWriter(&buf, flate.BestSpeed)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, p); err != nil {
			return err
		}
		// Flush, not Close: the block stays open for what follows.
		if err := w.Flush(); err != nil {
			return err
		}
		e.gz[i] = bytes.Clone(buf.Bytes())
	}
	return nil
}

// Compressed reports whether Compress kept the parts compressed.
func (e *Entry) Compressed() bool { return e.gz != nil }

// gzipHeader is a gzip member's header: deflate, no name, no time, no
// operating system named (RFC 1952).
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// AppendGzip appends to dst one gzip member of head, the body with token
// where the CSRF token goes, and tail. Head and tail (the layout, which
// echoes the address and carries the token too) and each token go in
// stored blocks; the parts are Compress's. The entry must be Compressed.
func (e *Entry) AppendGzip(dst []byte, head, token, tail string) []byte {
	var crc uint32
	size := 0
	sum := func(s string) {
		// Read in place: a []byte(s) would copy megabytes per request.
		crc = crc32.Update(crc, crc32.IEEETable, unsafe.Slice(unsafe.StringData(s), len(s)))
		size += len(s)
	}
	plain := func(s string) {
		sum(s)
		dst = appendStored(dst, s)
	}
	dst = append(dst, gzipHeader...)
	plain(head)
	for i, p := range e.Parts {
		if i > 0 {
			plain(token)
		}
		sum(p)
		dst = append(dst, e.gz[i]...)
	}
	plain(tail)
	// The last block: final, stored, empty.
	dst = append(dst, 1, 0, 0, 0xff, 0xff)
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return binary.LittleEndian.AppendUint32(dst, uint32(size)) //nolint:gosec // ISIZE is the size modulo 2^32 (RFC 1952)
}

// GzipLen is the length of AppendGzip's member for a head, token and tail
// of these lengths.
func (e *Entry) GzipLen(head, token, tail int) int {
	n := len(gzipHeader) + storedLen(head) + storedLen(tail) + (len(e.Parts)-1)*storedLen(token) + 5 + 8
	for _, z := range e.gz {
		n += len(z)
	}
	return n
}

// storedLen is the length of n bytes in stored blocks.
func storedLen(n int) int { return n + 5*((n+0xfffe)/0xffff) }

// appendStored appends s as stored deflate blocks, not final (RFC 1951
// 3.2.4): each at most 65,535 bytes, its header on a byte boundary.
func appendStored(dst []byte, s string) []byte {
	for len(s) > 0 {
		n := min(len(s), 0xffff)
		dst = append(dst, 0)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(n))  //nolint:gosec // n <= 0xffff
		dst = binary.LittleEndian.AppendUint16(dst, ^uint16(n)) //nolint:gosec // n <= 0xffff
		dst = append(dst, s[:n]...)
		s = s[n:]
	}
	return dst
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
	for _, z := range e.gz {
		n += len(z)
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
