package models

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// sessionCacheSize bounds the sessions a feed keeps; past it the cache
// starts again, which costs each session one query.
const sessionCacheSize = 10000

// sessionCache holds sessions as FindSession returned them, each with the
// feed epoch it was found in. Any notification or write starts a new epoch
// and clears it, so an entry never outlives a change to its session, user
// or organisation.
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]*cachedSession // by token hash
}

type cachedSession struct {
	s     Session
	epoch uint64
}

func (c *sessionCache) clear() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// FindSession is models.FindSession without a round trip when the feed
// knows the stamp and found this session within the same epoch. A session
// past its expiry, or whose time of last use is due to be written, is
// looked up as before. The Session returned is the caller's own copy;
// cached tells whether it came without a query.
func (f *ChangeFeed) FindSession(ctx context.Context, token string, now time.Time) (s *Session, cached bool, err error) {
	if token == "" {
		s, err = FindSession(ctx, f.db, token, now)
		return s, false, err
	}
	id := HashToken(token)
	stamp, epoch, ok := f.Current()
	if ok {
		f.sessions.mu.Lock()
		e := f.sessions.entries[id]
		f.sessions.mu.Unlock()
		if e != nil && e.epoch == epoch && now.Before(e.s.ExpiresAt) &&
			e.s.LastSeenAt != nil && now.Sub(*e.s.LastSeenAt) < lastUsedPrecision && !now.Before(*e.s.LastSeenAt) {
			s := copySession(e.s)
			s.PageStamp = stamp
			return s, true, nil
		}
	}
	s, err = FindSession(ctx, f.db, token, now)
	if err != nil || !ok || s.PageStamp != stamp {
		return s, false, err
	}
	f.sessions.mu.Lock()
	// Kept only if no change was announced while it was read.
	if f.epoch.Load() == epoch {
		if len(f.sessions.entries) >= sessionCacheSize {
			clear(f.sessions.entries)
		}
		f.sessions.entries[id] = &cachedSession{s: *copySession(*s), epoch: epoch}
	}
	f.sessions.mu.Unlock()
	return s, false, nil
}

// copySession copies s deeply enough that the caller may change the
// session, its user and the user's organisation.
func copySession(s Session) *Session {
	if s.User.Org != nil {
		o := *s.User.Org
		s.User.Org = &o
	}
	if s.LastSeenAt != nil {
		t := *s.LastSeenAt
		s.LastSeenAt = &t
	}
	return &s
}

// writesKey marks a context whose writes are tracked (TrackWrites).
type writesKey struct{}

// TrackWrites returns a context whose writes through GORM to a table a
// page shows are recorded, and a function that reports whether any was
// made. Handlers use it to tell a change feed, and the client, that a
// request wrote.
func TrackWrites(ctx context.Context) (context.Context, func() bool) {
	var wrote atomic.Bool
	return context.WithValue(ctx, writesKey{}, &wrote), wrote.Load
}

// noteWrite is the GORM callback after every create and update: it marks
// a tracked context. Writes to UnstampedTables change no page and are not
// marked (a session's time of last use is written on reading a page).
func noteWrite(db *gorm.DB) {
	if wrote := trackedWrites(db); wrote != nil {
		if t := db.Statement.Table; t == "" || !slices.Contains(UnstampedTables, t) {
			wrote.Store(true)
		}
	}
}

// noteAnyWrite is the GORM callback after every delete and raw statement:
// a delete may end a session (logout), which the process's own cached
// sessions must forget at once, and a raw statement names no table.
func noteAnyWrite(db *gorm.DB) {
	if wrote := trackedWrites(db); wrote != nil {
		wrote.Store(true)
	}
}

// trackedWrites is the mark of the statement's context when it succeeded
// in a context TrackWrites made, else nil.
func trackedWrites(db *gorm.DB) *atomic.Bool {
	if db.Error != nil || db.Statement == nil || db.Statement.Context == nil {
		return nil
	}
	wrote, _ := db.Statement.Context.Value(writesKey{}).(*atomic.Bool)
	return wrote
}

// registerWriteNotes adds noteWrite after every kind of write.
func registerWriteNotes(db *gorm.DB) error {
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("tenderprobe:note_write", noteWrite),
		cb.Update().After("gorm:update").Register("tenderprobe:note_write", noteWrite),
		cb.Delete().After("gorm:delete").Register("tenderprobe:note_write", noteAnyWrite),
		cb.Raw().After("gorm:raw").Register("tenderprobe:note_write", noteAnyWrite),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
