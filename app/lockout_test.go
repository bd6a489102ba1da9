package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"tenderprobe/seed"
)

// guess is one wrong-password attempt prepared for a concurrent burst: the
// client (with its login form's CSRF token) and the request it will send.
type guess struct {
	c    *client
	send func(c *client) response
}

// prepareGuess readies a wrong password for email through the web form or
// POST /api/v1/tokens.
func prepareGuess(t *testing.T, a *testApp, api bool, email string) guess {
	t.Helper()
	if api {
		return guess{c: a.anonymous(), send: func(c *client) response {
			return c.postJSON("/api/v1/tokens", map[string]string{"email": email, "password": "a wrong guess"})
		}}
	}
	return guess{c: loginForm(t, a), send: func(c *client) response {
		return c.post("/login", url.Values{"email": {email}, "password": {"a wrong guess"}})
	}}
}

// burst sends every guess at once and counts the answers by status.
func burst(guesses []guess) map[int]int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	statuses := map[int]int{}
	for _, g := range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res := g.send(g.c)
			mu.Lock()
			statuses[res.status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

// TestLockoutHoldsUnderConcurrency sends wrong passwords all at once over a
// real listener: the limit must hold even when every attempt arrives before
// the first password check ends, so only the limit's worth are judged (401)
// and the rest are refused unjudged (429).
func TestLockoutHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		api      bool
		attempts int
		// email of attempt i; one account, or a new one each time.
		email func(i int) string
		limit func(a *testApp) int
	}{
		{"30 wrong passwords for one account through the login form are judged only up to the account limit", false, 30,
			func(int) string { return "vendor@demo.test" }, func(a *testApp) int { return a.h.LoginFailuresPerAccount }},
		{"30 wrong passwords for one account through the token endpoint are judged only up to the account limit", true, 30,
			func(int) string { return "vendor@demo.test" }, func(a *testApp) int { return a.h.LoginFailuresPerAccount }},
		{"60 wrong passwords for many accounts from one address through the login form are judged only up to the address limit", false, 60,
			func(i int) string { return fmt.Sprintf("spray%d@demo.test", i) }, func(a *testApp) int { return a.h.LoginFailuresPerIP }},
		{"60 wrong passwords for many accounts from one address through the token endpoint are judged only up to the address limit", true, 60,
			func(i int) string { return fmt.Sprintf("spray%d@demo.test", i) }, func(a *testApp) int { return a.h.LoginFailuresPerIP }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestApp(t)
			a.base = a.listen(t)
			guesses := make([]guess, tc.attempts)
			for i := range guesses {
				guesses[i] = prepareGuess(t, a, tc.api, tc.email(i))
			}
			statuses := burst(guesses)
			limit := tc.limit(a)
			if statuses[401] != limit || statuses[429] != tc.attempts-limit {
				t.Fatalf("answers by status %v, want %d × 401 and %d × 429", statuses, limit, tc.attempts-limit)
			}
			// Still locked afterwards, even for the right password.
			c := loginForm(t, a)
			res := c.post("/login", url.Values{"email": {tc.email(0)}, "password": {seed.DemoPassword}})
			if res.status != 429 || c.cookies["tp_session"] != "" {
				t.Fatalf("after the burst: status %d, want 429 without a session", res.status)
			}
			if s, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || s < 1 || s > int(a.h.LoginWindow.Seconds()) {
				t.Errorf("Retry-After %q, want the seconds left in the window", res.header.Get("Retry-After"))
			}
		})
	}
}

func TestLockoutCountsOnlyFailures(t *testing.T) {
	t.Parallel()
	t.Run("successful logins do not use up the address's allowance", func(t *testing.T) {
		a := newTestApp(t)
		for i := 0; i < a.h.LoginFailuresPerIP+5; i++ {
			c := loginForm(t, a)
			if res := c.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}}); res.status != 303 {
				t.Fatalf("login %d: status %d, want 303", i+1, res.status)
			}
		}
		c := loginForm(t, a)
		if res := c.post("/login", url.Values{"email": {"auditor@demo.test"}, "password": {"a wrong guess"}}); res.status != 401 {
			t.Fatalf("a wrong password after many good logins: %d, want 401", res.status)
		}
	})

	t.Run("a success forgets the account's earlier failures", func(t *testing.T) {
		a := newTestApp(t)
		for round := range 3 {
			for i := 0; i < a.h.LoginFailuresPerAccount-1; i++ {
				c := loginForm(t, a)
				if res := c.post("/login", url.Values{"email": {"vendor@demo.test"}, "password": {"a wrong guess"}}); res.status != 401 {
					t.Fatalf("round %d, failure %d: %d, want 401", round, i+1, res.status)
				}
			}
			api := a.anonymous()
			if res := api.postJSON("/api/v1/tokens", map[string]string{"email": "vendor@demo.test", "password": seed.DemoPassword}); res.status != 201 {
				t.Fatalf("round %d: the right password got %d, want 201", round, res.status)
			}
		}
	})

	t.Run("attempts at a locked account do not use up the address's allowance", func(t *testing.T) {
		a := newTestApp(t)
		for i := 0; i < a.h.LoginFailuresPerIP+5; i++ {
			c := loginForm(t, a)
			res := c.post("/login", url.Values{"email": {"vendor@demo.test"}, "password": {"a wrong guess"}})
			if want := 401; i >= a.h.LoginFailuresPerAccount && res.status != 429 || i < a.h.LoginFailuresPerAccount && res.status != want {
				t.Fatalf("attempt %d: %d", i+1, res.status)
			}
		}
		c := loginForm(t, a)
		if res := c.post("/login", url.Values{"email": {"officer@demo.test"}, "password": {seed.DemoPassword}}); res.status != 303 {
			t.Fatalf("another account from the same address: %d, want 303", res.status)
		}
	})
}

// TestAGuesserLocksTheAccountOnlyForTheirNetwork: wrong passwords for an
// account from one address lock it for that address, not for its owner
// logging in from another; only failures from many networks together,
// past the higher total, lock it everywhere. Clients connect from
// different loopback addresses to a listening app.
func TestAGuesserLocksTheAccountOnlyForTheirNetwork(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.LoginFailuresPerAccount, cfg.LoginFailuresPerAccountTotal = 3, 7
	a := newTestAppWith(t, demo.Open(t), cfg)
	a.base = a.listen(t)
	const email = "officer@demo.test"
	attempt := func(from, password string) response {
		c := a.anonymous()
		c.from = from
		c.csrf = csrfFrom(t, c.get("/login").body)
		res := c.post("/login", url.Values{"email": {email}, "password": {password}})
		if res.status == 303 && c.cookies["tp_session"] == "" {
			t.Fatalf("from %s: a redirect without a session", from)
		}
		return res
	}
	for i := range cfg.LoginFailuresPerAccount {
		if res := attempt("127.0.0.2", "a wrong guess"); res.status != 401 {
			t.Fatalf("guess %d from the guesser's address: %d, want 401", i+1, res.status)
		}
	}
	if res := attempt("127.0.0.2", seed.DemoPassword); res.status != 429 {
		t.Fatalf("the right password from the guesser's address: %d, want 429", res.status)
	}
	if res := attempt("127.0.0.3", seed.DemoPassword); res.status != 303 {
		t.Fatalf("the owner from another address: %d, want 303 with a session", res.status)
	}
	// The owner's success forgets the failures of the owner's network and
	// the total, not the guesser's network.
	if res := attempt("127.0.0.2", seed.DemoPassword); res.status != 429 {
		t.Fatalf("the guesser's address after the owner's login: %d, want 429", res.status)
	}
	// Guesses spread over addresses: locked everywhere at the total.
	failures := 0
	for i := 0; failures < cfg.LoginFailuresPerAccountTotal; i++ {
		if res := attempt(fmt.Sprintf("127.0.1.%d", 1+i/2), "a wrong guess"); res.status != 401 {
			t.Fatalf("spread guess %d: %d, want 401", failures+1, res.status)
		}
		failures++
	}
	if res := attempt("127.0.0.4", seed.DemoPassword); res.status != 429 {
		t.Fatalf("the owner from a new address past the total: %d, want 429", res.status)
	}
}

// TestAnOverlongAddressIsAWrongLoginOnEveryDatabase: an address longer
// than any account's is a failed login (401), counted like any other, on
// SQLite and on PostgreSQL, whose column for the count's key has a length.
func TestAnOverlongAddressIsAWrongLoginOnEveryDatabase(t *testing.T) {
	t.Parallel()
	demo.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newTestAppOn(t, db)
		long := strings.Repeat("é", 600) + "@demo.test"
		for _, tc := range []struct {
			name string
			send func() response
		}{
			{"the login form", func() response {
				return loginForm(t, a).post("/login", url.Values{"email": {long}, "password": {"a wrong guess"}})
			}},
			{"the token endpoint", func() response {
				return a.anonymous().postJSON("/api/v1/tokens", map[string]string{"email": long, "password": "a wrong guess"})
			}},
		} {
			if res := tc.send(); res.status != 401 {
				t.Errorf("%s: %d, want 401:\n%.300s", tc.name, res.status, res.body)
			}
		}
	})
}
