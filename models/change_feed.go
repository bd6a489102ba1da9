package models

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// A ChangeFeed lets a process on PostgreSQL know the page stamp without
// asking for it on every request, so that a cached page costs no round
// trip at all. It reads the stamp every FeedRefresh and again at once
// after every commit that changes a page or ends a session, which the
// change-stamp triggers announce with NOTIFY (migration 0024).
//
// Each notification, and each write this process makes (Invalidate),
// starts a new epoch: until the stamp has been read again within it,
// Current says it does not know, and callers ask the database as before.
// A stamp is trusted for FeedFresh after the read that fetched it began,
// so a write committed more than FeedFresh ago is always seen, even if
// its notification was lost: the bound holds without the listener.
// Within it, a write by another process shows as soon as its
// notification arrives (well under a millisecond on one machine).
//
// Read-your-writes across processes is the caller's part: a client whose
// request wrote carries that fact for longer than FeedFresh (handlers set
// a short cookie) and is served from the database meanwhile.
type ChangeFeed struct {
	db    *gorm.DB
	dsn   string
	log   *slog.Logger
	epoch atomic.Uint64
	state atomic.Pointer[feedState]
	kick  chan struct{}
	// refreshEvery and freshFor are FeedRefresh and FeedFresh at the start.
	refreshEvery, freshFor time.Duration
	// Sessions are the sessions found during the current epoch.
	sessions sessionCache

	cancel context.CancelFunc
	done   sync.WaitGroup
	// listening is true while the LISTEN connection is up.
	listening atomic.Bool
}

// feedState is one read of the stamp: its value, when the read began (on
// the monotonic clock) and the epoch it belongs to.
type feedState struct {
	stamp int64
	began time.Time
	epoch uint64
}

// FeedRefresh is how often a feed reads the stamp without being told of a
// change, and FeedFresh how long a read is trusted. The fresh-after-write
// cookie handlers set lasts twice FeedFresh.
const (
	FeedRefresh = 250 * time.Millisecond
	FeedFresh   = time.Second
)

// ErrNoChangeFeed is returned by StartChangeFeed for a database that has
// no notifications (SQLite).
var ErrNoChangeFeed = errors.New("models: change feed: the database has no notifications")

// StartChangeFeed starts the feed of db (PostgreSQL only) until Stop. It
// returns at once; until the first read, Current reports no stamp.
func StartChangeFeed(db *gorm.DB, log *slog.Logger) (*ChangeFeed, error) {
	return startChangeFeed(db, log, FeedRefresh, FeedFresh)
}

func startChangeFeed(db *gorm.DB, log *slog.Logger, refresh, fresh time.Duration) (*ChangeFeed, error) {
	d, ok := db.Dialector.(*postgres.Dialector)
	if !ok || d.Config == nil || d.Config.DSN == "" {
		return nil, ErrNoChangeFeed
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &ChangeFeed{db: db, dsn: d.Config.DSN, log: log, kick: make(chan struct{}, 1), cancel: cancel,
		refreshEvery: refresh, freshFor: fresh}
	f.sessions.entries = map[string]*cachedSession{}
	f.done.Add(2)
	go f.listen(ctx)
	go f.refresh(ctx)
	return f, nil
}

// Stop ends the feed and waits for its goroutines.
func (f *ChangeFeed) Stop() {
	f.cancel()
	f.done.Wait()
}

// Listening reports whether the LISTEN connection is up.
func (f *ChangeFeed) Listening() bool { return f.listening.Load() }

// Current is the page stamp as of a read that began less than FeedFresh
// ago with no change announced since, with the epoch it belongs to; ok is
// false when the feed does not know one.
func (f *ChangeFeed) Current() (stamp int64, epoch uint64, ok bool) {
	s := f.state.Load()
	if s == nil || s.epoch != f.epoch.Load() || time.Since(s.began) >= f.freshFor {
		return 0, 0, false
	}
	return s.stamp, s.epoch, true
}

// Invalidate forgets the stamp and the sessions: something this process
// wrote has committed, or a notification says another one did. The stamp
// is read again at once.
func (f *ChangeFeed) Invalidate() {
	f.epoch.Add(1)
	f.sessions.clear()
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// refresh reads the stamp every FeedRefresh, or at once when kicked, and
// publishes it only if no change was announced while it read.
func (f *ChangeFeed) refresh(ctx context.Context) {
	defer f.done.Done()
	t := time.NewTicker(f.refreshEvery)
	defer t.Stop()
	failing := false // log a failure once, not four times a second
	for {
		epoch, began := f.epoch.Load(), time.Now()
		stamp, err := PageStamp(ctx, f.db)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				f.log.Warn("change feed: read the page stamp", "err", err)
			}
			failing = true
		case f.epoch.Load() == epoch:
			f.state.Store(&feedState{stamp: stamp, began: began, epoch: epoch})
			failing = false
		default:
			continue // announced while reading: read again
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.kick:
		}
	}
}

// listen keeps a connection that LISTENs on changeFeedChannel and
// invalidates on every notification, reconnecting after a failure. A
// notification missed while it reconnects costs freshness, not
// correctness: Current trusts a read for FeedFresh only.
func (f *ChangeFeed) listen(ctx context.Context) {
	defer f.done.Done()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := f.listenOnce(ctx)
		f.listening.Store(false)
		if ctx.Err() != nil {
			return
		}
		f.log.Warn("change feed: listen", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listenOnce listens on one connection until it fails or ctx ends.
func (f *ChangeFeed) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+changeFeedChannel); err != nil {
		return err
	}
	f.listening.Store(true)
	// Changes made while no connection listened were not announced.
	f.Invalidate()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		f.Invalidate()
	}
}
