package app

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// cachedPage is a page kept by the page cache, as one reader sees it.
type cachedPage struct {
	who  string
	c    *client
	path string
}

// cachedAndFresh gets path as c twice: through the page cache, then with
// the cache off, as the page would be rendered for the same request.
func (a *testApp) cachedAndFresh(c *client, path string) (cached, fresh response) {
	a.t.Helper()
	cached = c.get(path)
	pages := a.h.Pages
	a.h.Pages = nil
	defer func() { a.h.Pages = pages }()
	return cached, c.get(path)
}

// sameAsFresh fails t when a page read through the cache differs from the
// page rendered afresh, and returns the cached body.
func (a *testApp) sameAsFresh(t *testing.T, after string, p cachedPage) string {
	t.Helper()
	cached, fresh := a.cachedAndFresh(p.c, p.path)
	if cached.status != fresh.status || cached.body != fresh.body {
		t.Errorf("after %s, %s's %s from the cache (status %d) differs from a fresh render (status %d):\n%s",
			after, p.who, p.path, cached.status, fresh.status, firstDifference(cached.body, fresh.body))
	}
	return cached.body
}

// firstDifference shows where two bodies part.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-120)
	return fmt.Sprintf("cached: …%s…\nfresh:  …%s…", a[from:min(len(a), i+120)], b[from:min(len(b), i+120)])
}

// destructive routes end the sessions or accounts the pages are read
// with; they run last.
func destructive(path string) bool {
	for _, s := range []string{"/logout", "/disabled", "/password", "/sessions", "/second-factor/reset"} {
		if strings.Contains(path, s) {
			return true
		}
	}
	return false
}

// TestCachedPagesAreThePagesAfterEveryWrite is generated from the route
// table: every write route (POST, PUT, DELETE) is called, as an officer,
// a vendor or an admin of the first buyer and supplier would call it, with
// the request that succeeds (authzBodies), and after each the dashboards,
// tender pages and review matrices read through the page cache must be
// byte for byte the pages rendered without it. The pages are read before
// each write too, so a cached body that a write failed to replace would
// be served. Readers and writers have sessions of their own.
func TestCachedPagesAreThePagesAfterEveryWrite(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		if a.h.Pages == nil {
			t.Fatal("the test app has no page cache")
		}
		w := newAuthzWorld(t, a)
		bodies := authzBodies(w)
		officer, vendor, admin := a.session("officer@demo.test"), a.session("vendor@demo.test"), a.session("admin@demo.test")
		pages := []cachedPage{
			{"the officer", officer, "/"},
			{"the vendor", vendor, "/"},
			{"the admin", admin, "/"},
			{"the officer", officer, fmt.Sprintf("/tenders/%d", w.tender.ID)},
			{"the officer", officer, fmt.Sprintf("/tenders/%d", w.draft.ID)},
			{"the vendor", vendor, fmt.Sprintf("/tenders/%d", w.tender.ID)},
			{"the officer", officer, fmt.Sprintf("/tenders/%d/review", w.tender.ID)},
			{"the officer", officer, fmt.Sprintf("/tenders/%d/review?view=vendors&sort=open", w.tender.ID)},
		}
		routes := slices.DeleteFunc(routeTable(a.h), func(r route) bool {
			return r.method == http.MethodGet || r.access == open || r.access == visitor
		})
		slices.SortStableFunc(routes, func(x, y route) int {
			switch dx, dy := destructive(x.path), destructive(y.path); {
			case dx == dy:
				return 0
			case dx:
				return 1
			}
			return -1
		})
		var compared, changed int
		before := make([]string, len(pages))
		for i, p := range pages {
			before[i] = a.sameAsFresh(t, "nothing", p)
		}
		for _, r := range routes {
			key := r.method + " " + r.path
			b, ok := bodies[key]
			if !ok {
				t.Errorf("route %s has no request in authzBodies", key)
				continue
			}
			email := "admin@demo.test"
			switch {
			case slices.Contains(r.roles, models.RoleOfficer):
				email = "officer@demo.test"
			case slices.Contains(r.roles, models.RoleVendor):
				email = "vendor@demo.test"
			}
			writer := a.session(email)
			if r.access == api {
				writer = a.apiClient(email)
			}
			res := writer.send(r.method, w.fill(t, r.path), b, r.access == api)
			after := fmt.Sprintf("%s (status %d)", key, res.status)
			for i, p := range pages {
				body := a.sameAsFresh(t, after, p)
				compared++
				if body != before[i] {
					changed++
				}
				before[i] = body
			}
		}
		t.Logf("%d pages compared after %d writes; %d differed from the page before the write", compared, len(routes), changed)
		// A loop where no write changed a page would prove nothing.
		if changed < 20 {
			t.Errorf("only %d pages changed after the writes: the test no longer exercises the cache", changed)
		}
		if hits, _, _ := a.h.Pages.Stats(); hits == 0 {
			t.Error("no page came from the cache")
		}

		t.Run("the comparison sees a stale page when a write is not stamped", func(t *testing.T) {
			viewer := a.session("admin@demo.test")
			p := cachedPage{"the admin", viewer, "/"}
			a.sameAsFresh(t, "the writes", p)
			drop := "DROP TRIGGER tp_change_stamp ON tenders"
			if db.Name() == "sqlite" {
				drop = "DROP TRIGGER tp_change_stamp_update_tenders"
			}
			if err := db.Exec(drop).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("UPDATE tenders SET title = ? WHERE id = ?", "Renamed behind the stamps", w.draft.ID).Error; err != nil {
				t.Fatal(err)
			}
			cached, fresh := a.cachedAndFresh(viewer, "/")
			if cached.body == fresh.body || strings.Contains(cached.body, "Renamed behind the stamps") || !strings.Contains(fresh.body, "Renamed behind the stamps") {
				t.Error("a page cached before an unstamped write is not told from the fresh page")
			}
		})
	})
}

// TestCachedPagesFollowTheClock: with no write at all, the vendor's
// dashboard (reminders, "due in 5 hours") and the tender pages change as
// the deadline nears and passes; read through the cache at every step of
// an injected clock, including each whole hour before the deadline and a
// nanosecond either side, they are the pages rendered afresh.
func TestCachedPagesFollowTheClock(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ctx := context.Background()
	w := newAttestWorld(t, a)
	window := 7 * 24 * time.Hour
	deadline := testNow.Add(window + 90*time.Minute + 17*time.Second)
	if err := a.db.Model(&models.Tender{}).Where("id = ?", w.tender.ID).Update("deadline", deadline).Error; err != nil {
		t.Fatal(err)
	}
	clock := testNow
	a.h.Now = func() time.Time { return clock }
	long := func(email string) *client {
		token, s, err := models.CreateSession(ctx, a.db, a.user(email).ID, 30*24*time.Hour, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return &client{a: a, cookies: map[string]string{"tp_session": token}, csrf: s.CSRFToken}
	}
	vendor, officer := long("vendor@demo.test"), long("officer@demo.test")
	pages := []cachedPage{
		{"the vendor", vendor, "/"},
		{"the vendor", vendor, fmt.Sprintf("/tenders/%d", w.tender.ID)},
		{"the officer", officer, fmt.Sprintf("/tenders/%d", w.tender.ID)},
		{"the officer", officer, "/"},
	}
	var times []time.Time
	for c := testNow; c.Before(deadline.Add(3 * time.Hour)); c = c.Add(47 * time.Minute) {
		times = append(times, c)
	}
	edges := []time.Time{deadline.Add(-window)}
	for k := range 50 {
		edges = append(edges, deadline.Add(-time.Duration(k)*time.Hour))
	}
	for _, e := range edges {
		times = append(times, e.Add(-time.Nanosecond), e, e.Add(time.Nanosecond))
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	seen := map[string]bool{}
	for _, c := range times {
		clock = c
		for _, p := range pages {
			body := a.sameAsFresh(t, "the clock moved to "+c.Format(time.RFC3339Nano), p)
			if p.path == "/" && p.c == vendor {
				seen[body] = true
			}
		}
	}
	// Before the window, each day, then each hour, and after the deadline.
	if len(seen) < 40 {
		t.Errorf("the vendor's dashboard read %d different ways over the deadline's last week: the clock did not change it as expected", len(seen))
	}
}

// twoProcesses builds two apps on db, each with its own connection pool
// and page cache, as two serve processes; other is the second's database.
func twoProcesses(t *testing.T, db *gorm.DB) (first, second *testApp, other *gorm.DB) {
	t.Helper()
	other, err := models.Open(dbtest.DSN(t, db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(other) })
	return newTestAppOn(t, db), newTestAppOn(t, other), other
}

// TestAWriteByAnotherProcessRenewsCachedPages: two app instances on one
// database, each with its own page cache (two `serve` processes sharing
// PostgreSQL, or one SQLite file): a write through either makes the
// other's cached pages show it.
func TestAWriteByAnotherProcessRenewsCachedPages(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		first, second, _ := twoProcesses(t, db)
		tn, _ := first.newDraft("Shared between processes")
		path := fmt.Sprintf("/tenders/%d", tn.ID)
		apps := []*testApp{first, second}
		readers := []*client{first.session("officer@demo.test"), second.session("officer@demo.test")}
		for step, title := range []string{"Renamed by the first", "Renamed by the second", "Renamed by the first again"} {
			by := apps[step%2]
			for i, a := range apps {
				a.sameAsFresh(t, "the last rename", cachedPage{"the officer", readers[i], path})
				a.sameAsFresh(t, "the last rename", cachedPage{"the officer", readers[i], "/"})
			}
			writer := by.session("officer@demo.test")
			res := writer.post(path, url.Values{"title": {title}})
			if res.status != 303 {
				t.Fatalf("rename: status %d", res.status)
			}
			for i, a := range apps {
				for _, p := range []string{path, "/"} {
					body := a.sameAsFresh(t, title, cachedPage{"the officer", readers[i], p})
					if !strings.Contains(body, title) {
						t.Errorf("app %d's %s does not show %q", i+1, p, title)
					}
				}
			}
		}
	})
}

// TestLargePagesGoCompressedToBrowsersThatTakeGzip: the review matrix of
// 60 vendors goes gzip-compressed to a browser that accepts it, from the
// cache and with the cache off, and reads back as exactly the page a
// client without gzip gets (same session, same token); the session's CSRF
// token stands uncompressed in it. A client that refuses gzip (q=0) and
// a small page get plain HTML.
func TestLargePagesGoCompressedToBrowsersThatTakeGzip(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	bt := seedBigTender(t, a.db, "Compressed", 60, 40)
	officer := a.session("officer@demo.test")
	review := fmt.Sprintf("/tenders/%d/review", bt.tender.ID)
	get := func(path, accept string) response {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		// An Accept-Encoding of our own: no transport decodes the answer
		// for us, the test reads the bytes the server sent.
		return officer.do(req)
	}
	plain := get(review, "")
	if plain.status != 200 || len(plain.body) < 64<<10 || !strings.Contains(plain.body, officer.csrf) {
		t.Fatalf("the plain review matrix: %d, %d bytes", plain.status, len(plain.body))
	}
	for _, cached := range []bool{true, false} {
		t.Run(fmt.Sprintf("page cache on: %t", cached), func(t *testing.T) {
			if !cached {
				pages := a.h.Pages
				a.h.Pages = nil
				t.Cleanup(func() { a.h.Pages = pages })
			}
			cases := []struct {
				name, path, accept string
				gzipped            bool
			}{
				{"a browser's Accept-Encoding", review, "gzip, deflate, br, zstd", true},
				{"gzip refused with q=0", review, "gzip;q=0, identity", false},
				{"no Accept-Encoding", review, "", false},
				{"a small page", "/", "gzip", false},
			}
			for _, tc := range cases {
				res := get(tc.path, tc.accept)
				if res.status != 200 {
					t.Fatalf("%s: status %d", tc.name, res.status)
				}
				if got := res.header.Get("Content-Encoding") == "gzip"; got != tc.gzipped {
					t.Errorf("%s: gzip %t, want %t", tc.name, got, tc.gzipped)
					continue
				}
				if !tc.gzipped {
					continue
				}
				if !strings.Contains(res.header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("%s: no Vary: Accept-Encoding", tc.name)
				}
				if len(res.body) > len(plain.body)/4 {
					t.Errorf("%s: %d bytes compressed of %d", tc.name, len(res.body), len(plain.body))
				}
				if !strings.Contains(res.body, officer.csrf) {
					t.Errorf("%s: the CSRF token is not stored uncompressed", tc.name)
				}
				zr, err := gzip.NewReader(strings.NewReader(res.body))
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				read, err := io.ReadAll(zr)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if string(read) != plain.body {
					t.Errorf("%s: the compressed page reads as another page (%d bytes, want %d)", tc.name, len(read), len(plain.body))
				}
			}
		})
	}
}

// startFeed gives the test app a change feed, as serve does on PostgreSQL.
func (a *testApp) startFeed(t testing.TB) {
	t.Helper()
	f, err := models.StartChangeFeed(a.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Stop)
	a.h.Feed = f
	eventually(t, "the change feed listening, with a stamp", func() bool {
		_, _, ok := f.Current()
		return ok && f.Listening()
	})
}

// eventually polls cond for up to two seconds, the time a change feed
// takes at most to hear of another process's commit (models.FeedFresh,
// with margin).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("after 2 s, still not: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWithAChangeFeedCachedPagesNeedNoQueryAndShowEveryWrite: two serve
// processes on one PostgreSQL database, each with its change feed. A
// cached page is served without a query; a write through one process is
// seen at once by the browser that made it, in either process (its
// tp_fresh cookie), and within the feed's bound by everyone else; a
// session ended in one process is refused at once there and within the
// bound in the other.
func TestWithAChangeFeedCachedPagesNeedNoQueryAndShowEveryWrite(t *testing.T) {
	t.Parallel()
	first, second, other := twoProcesses(t, demo.OpenPostgres(t))
	first.startFeed(t)
	second.startFeed(t)
	queries := queryCounter(t, other)

	tn, _ := first.newDraft("Before the feed")
	path := fmt.Sprintf("/tenders/%d", tn.ID)
	writer := first.session("officer@demo.test")
	// The same browser, sent by a load balancer to either process.
	writerThere := &client{a: second, cookies: writer.cookies, csrf: writer.csrf}
	reader := second.session("officer@demo.test")
	eventually(t, "the reader's page, from the cache without a query", func() bool {
		if res := reader.get(path); res.status != 200 {
			t.Fatalf("reader: status %d", res.status)
		}
		before := queries.Load()
		for range 20 {
			reader.get(path)
		}
		// The feed reads the stamp four times a second, on the same pool.
		return queries.Load()-before <= 1
	})

	if res := writer.get(path); res.header.Get("Set-Cookie") != "" && strings.Contains(res.header.Get("Set-Cookie"), "tp_fresh") {
		t.Errorf("a request that wrote nothing marked the browser fresh")
	}
	res := writer.post(path, url.Values{"title": {"Renamed under the feed"}})
	if res.status != 303 {
		t.Fatalf("rename: status %d", res.status)
	}
	if !slices.ContainsFunc(res.header.Values("Set-Cookie"), func(c string) bool {
		return strings.HasPrefix(c, "tp_fresh=") && strings.Contains(c, "max-age=2") && strings.Contains(strings.ToLower(c), "httponly")
	}) {
		t.Fatalf("the write did not mark the browser fresh for 2 s: %q", res.header.Values("Set-Cookie"))
	}
	if body := writerThere.get(path).body; !strings.Contains(body, "Renamed under the feed") {
		t.Errorf("the writer, sent to the other process at once, does not see the rename")
	}
	eventually(t, "the rename shown to the other reader", func() bool {
		return strings.Contains(reader.get(path).body, "Renamed under the feed")
	})
	// Now that the other process knows the new stamp, the browser that
	// wrote still asks the database until its cookie ends: a process can
	// know a stamp older than the write for up to models.FeedFresh.
	before := queries.Load()
	for range 5 {
		writerThere.get(path)
	}
	if n := queries.Load() - before; n < 5 {
		t.Errorf("five pages to the browser that wrote ran %d queries: answered from the feed within its fresh time", n)
	}

	// A session ended in the first process: refused there at once, and
	// soon in the second.
	victim := second.session("vendor@demo.test")
	victimHere := &client{a: first, cookies: maps.Clone(victim.cookies), csrf: victim.csrf}
	if res := victim.get("/"); res.status != 200 {
		t.Fatalf("vendor dashboard: status %d", res.status)
	}
	if res := victimHere.get("/"); res.status != 200 {
		t.Fatalf("vendor dashboard, first process: status %d", res.status)
	}
	if res := victimHere.post("/logout", nil); res.status != 303 {
		t.Fatalf("logout: status %d", res.status)
	}
	stolen := &client{a: first, cookies: maps.Clone(victim.cookies), csrf: victim.csrf}
	if res := stolen.get("/"); res.status != 303 {
		t.Errorf("the ended session still opens the dashboard in the process that ended it: status %d", res.status)
	}
	eventually(t, "the ended session refused by the other process", func() bool {
		return (&client{a: second, cookies: maps.Clone(victim.cookies)}).get("/").status == 303
	})
}
