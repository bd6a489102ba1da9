// Package resolver sends the probe's DNS queries to one configured recursive
// resolver and caches the answers for the length of a probe run.
//
// Protocol steps for each query:
//  1. Build a query with RD (recursion desired), CD (checking disabled, so a
//     bogus answer still reaches our own validator) and an EDNS0 OPT record
//     with the DO bit and a 1232-byte UDP payload size.
//  2. Send it over UDP; if the answer has TC set, send it again over TCP.
//     A UDP query that gets no answer is sent once more (datagrams get
//     lost), and then over TCP, so one lost packet costs a short retry
//     instead of the whole timeout and a failed check.
//  3. Check that the answer's ID and question match (miekg/dns does the ID).
//
// These queries are the one connection of a probe that does not go through
// the SSRF guard (package netguard): the operator configured the resolver's
// address, and a probed domain cannot change it.
package resolver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// UDPSize is the EDNS0 buffer size advertised, the DNS flag day 2020 value.
const UDPSize = 1232

// Querier is what the checks and the DNSSEC validator need from DNS.
type Querier interface {
	Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error)
}

// Client queries one resolver address. It is safe for concurrent use.
type Client struct {
	addr    string
	timeout time.Duration
	udp     *dns.Client
	tcp     *dns.Client
}

// New returns a client for the resolver at addr (host:port).
func New(addr string, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	// Each UDP attempt gets a third of the budget (at most 2 s), leaving
	// room for the retry and the TCP fallback.
	attempt := min(2*time.Second, timeout/3)
	return &Client{
		addr:    addr,
		timeout: timeout,
		udp:     &dns.Client{Net: "udp", UDPSize: UDPSize, Timeout: attempt},
		tcp:     &dns.Client{Net: "tcp", Timeout: timeout},
	}
}

// Addr is the resolver address queries go to.
func (c *Client) Addr() string { return c.addr }

// Query sends one question and returns the answer, retrying over TCP when the
// UDP answer is truncated.
func (c *Client) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.CheckingDisabled = true
	m.SetEdns0(UDPSize, true)

	resp, _, err := c.udp.ExchangeContext(ctx, m, c.addr)
	if isTimeout(err) && ctx.Err() == nil {
		resp, _, err = c.udp.ExchangeContext(ctx, m, c.addr)
	}
	if (err == nil && resp.Truncated) || (isTimeout(err) && ctx.Err() == nil) {
		resp, _, err = c.tcp.ExchangeContext(ctx, m, c.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("dns %s %s via %s: %w", dns.TypeToString[qtype], name, c.addr, err)
	}
	if len(resp.Question) != 1 || !strings.EqualFold(resp.Question[0].Name, m.Question[0].Name) || resp.Question[0].Qtype != qtype {
		return nil, fmt.Errorf("dns %s %s via %s: answer does not match the question", dns.TypeToString[qtype], name, c.addr)
	}
	return resp, nil
}

// isTimeout reports an attempt that got no answer in time.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Cache wraps a Querier so that each (name, type) is asked once per run, even
// when several checks ask at the same moment. Errors are cached too: a
// resolver that timed out once is not asked again within the same run.
type Cache struct {
	q       Querier
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
}

type cacheKey struct {
	name  string
	qtype uint16
}

type cacheEntry struct {
	done chan struct{}
	msg  *dns.Msg
	err  error
}

// NewCache returns an empty per-run cache in front of q.
func NewCache(q Querier) *Cache {
	return &Cache{q: q, entries: make(map[cacheKey]*cacheEntry)}
}

// Query answers from the cache or asks the underlying Querier. The returned
// message is shared: callers must not modify it.
func (c *Cache) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	key := cacheKey{strings.ToLower(dns.Fqdn(name)), qtype}
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &cacheEntry{done: make(chan struct{})}
		c.entries[key] = e
		c.mu.Unlock()
		e.msg, e.err = c.q.Query(ctx, name, qtype)
		close(e.done)
		return e.msg, e.err
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.msg, e.err
	case <-ctx.Done():
		return nil, fmt.Errorf("dns %s %s: %w", dns.TypeToString[qtype], name, ctx.Err())
	}
}

// SystemResolver returns the first nameserver of /etc/resolv.conf as host:port.
func SystemResolver() (string, error) {
	cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil {
		return "", fmt.Errorf("resolver: read /etc/resolv.conf: %w", err)
	}
	if len(cc.Servers) == 0 {
		return "", fmt.Errorf("resolver: no nameserver in /etc/resolv.conf")
	}
	return net.JoinHostPort(cc.Servers[0], cc.Port), nil
}
