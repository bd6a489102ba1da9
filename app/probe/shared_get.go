package probe

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// sharedGets holds, per run, the plain GETs of a web target's own pages
// that more than one check sends alike: the redirect check's hops and the
// IPv4/IPv6 comparison ask for http://host/ and https://host/ at each of
// the host's addresses, the same requests on the same connections. Asked
// once, each costs the server (and the probe) one connection and TLS
// handshake instead of two: a probe of the testbed's good.test (with www)
// makes 80 connections instead of 88.
type sharedGets struct {
	mu sync.Mutex
	of map[sharedKey]*sharedGet
}

// sharedKey is one request: the address connected to and the URL with
// its port as dialled (https://host/ and https://host:443/ are one).
type sharedKey struct {
	addr netip.Addr
	url  string
}

// sharedGet is one request's answer; done closes when it is in.
type sharedGet struct {
	done      chan struct{}
	resp      *http.Response // body read into body; never written to
	body      []byte
	truncated bool
	addr      string
	err       error
}

// sharedMaxBody is what a shared GET reads of the body: the most any of
// its askers wants (the IPv4/IPv6 comparison's similarMaxBody).
const sharedMaxBody = similarMaxBody

// getShared is getWith(ctx, c, u, limit, nil) for a client pinned to pin,
// sent once per run for every asker of the same URL at the same address;
// a URL of another host than pin's is sent as asked. c must not verify
// certificates (the askers' clients all skip verification, which the
// checks report on their own) and must not follow redirects.
func (r *run) getShared(ctx context.Context, c *http.Client, pin webTarget, u string, limit int) (*http.Response, []byte, bool, string, error) {
	key, ok := r.sharedKey(pin, u)
	if !ok || limit > sharedMaxBody {
		return getWith(ctx, c, u, limit, nil)
	}
	r.shared.mu.Lock()
	if r.shared.of == nil {
		r.shared.of = map[sharedKey]*sharedGet{}
	}
	g, asked := r.shared.of[key]
	if !asked {
		g = &sharedGet{done: make(chan struct{})}
		r.shared.of[key] = g
	}
	r.shared.mu.Unlock()
	if !asked {
		g.resp, g.body, g.truncated, g.addr, g.err = getWith(ctx, c, u, sharedMaxBody, nil)
		close(g.done)
	} else {
		select {
		case <-g.done:
		case <-ctx.Done():
			return nil, nil, false, "", ctx.Err()
		}
		// The first asker ran out of its own time (another check's
		// budget): that says nothing of the server, so ask again.
		if ctx.Err() == nil && (errors.Is(g.err, context.Canceled) || errors.Is(g.err, context.DeadlineExceeded)) {
			return getWith(ctx, c, u, limit, nil)
		}
	}
	body, truncated := g.body, g.truncated
	if len(body) > limit {
		body, truncated = body[:limit], true
	}
	return g.resp, body, truncated, g.addr, g.err
}

// sharedKey names u asked at pin's address, with the port it is dialled
// on, or reports that u is not one of pin's own pages.
func (r *run) sharedKey(pin webTarget, u string) (sharedKey, bool) {
	p, err := url.Parse(u)
	if err != nil || !strings.EqualFold(p.Hostname(), pin.Host) || p.User != nil || p.Fragment != "" {
		return sharedKey{}, false
	}
	port := p.Port()
	switch {
	case p.Scheme == "http" && (port == "" || port == "80"):
		port = strconv.Itoa(r.cfg.HTTPPort)
	case p.Scheme == "https" && (port == "" || port == "443"):
		port = strconv.Itoa(r.cfg.HTTPSPort)
	case p.Scheme != "http" && p.Scheme != "https":
		return sharedKey{}, false
	}
	path := p.EscapedPath()
	if path == "" {
		path = "/"
	}
	return sharedKey{addr: pin.Addr, url: p.Scheme + "://" + strings.ToLower(p.Hostname()) + ":" + port + path + "?" + p.RawQuery}, true
}
