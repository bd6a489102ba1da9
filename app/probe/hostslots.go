package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// DefaultMaxConnsPerHost is how many TCP connections one probe holds open
// to one server at a time, unless Config.MaxConnsPerHost says otherwise.
// The checks run their handshakes and lookups concurrently to keep a probe
// close to its chain of round trips; this cap keeps that polite: a server
// never sees more than this many connections of one probe at once, however
// many scans, fetches and mail sessions want it.
//
// A server is an address and port, as for a browser's connections per
// host (per origin) and net/http's Transport.MaxConnsPerHost: the web and
// the mail server on one address are two servers with a cap each.
const DefaultMaxConnsPerHost = 8

// hostSlots hands out at most limit concurrent connection slots per
// server (address and port). A slot is held from before the connect until the connection is
// closed, so it counts what the server sees.
type hostSlots struct {
	limit int
	mu    sync.Mutex
	hosts map[netip.AddrPort]*hostSlot
}

type hostSlot struct {
	sem   chan struct{}
	users int // holders and waiters; the entry goes when none are left
}

func newHostSlots(limit int) *hostSlots {
	return &hostSlots{limit: limit, hosts: make(map[netip.AddrPort]*hostSlot)}
}

// acquire waits for a free slot at addr, or for ctx to end.
func (h *hostSlots) acquire(ctx context.Context, addr netip.AddrPort) (release func(), err error) {
	h.mu.Lock()
	s := h.hosts[addr]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, h.limit)}
		h.hosts[addr] = s
	}
	s.users++
	h.mu.Unlock()
	done := func() {
		h.mu.Lock()
		if s.users--; s.users == 0 {
			delete(h.hosts, addr)
		}
		h.mu.Unlock()
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		done()
		return nil, fmt.Errorf("probe: waiting for a connection to %s: %w", addr, ctx.Err())
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-s.sem
			done()
		})
	}, nil
}

// dial opens a connection through the SSRF guard; a TCP connection to an
// address and port (every connection the checks open) first takes one of
// that server's slots and gives it back when closed.
func (r *run) dial(ctx context.Context, network, address string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(address)
	if !strings.HasPrefix(network, "tcp") || err != nil {
		return r.dialer.DialContext(ctx, network, address)
	}
	release, err := r.slots.acquire(ctx, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
	if err != nil {
		return nil, err
	}
	conn, err := r.dialer.DialContext(ctx, network, address)
	if err != nil {
		release()
		return nil, err
	}
	return &slotConn{Conn: conn, release: release}, nil
}

// slotConn gives its host slot back when closed.
type slotConn struct {
	net.Conn
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
