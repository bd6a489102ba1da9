package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"tenderprobe/app/probe/tlsscan"
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

// DefaultMaxBatchConnsPerHost is how many TCP connections all the probes
// of one engine (a batch of domains, the verification queue) hold open to
// one server at a time, unless Config.MaxBatchConnsPerHost says otherwise.
// Many domains share a hoster's web or mail server; without this cap a
// batch of 100 domains would open 800 connections to it at once, which is
// impolite and, on a loaded machine, makes every one of them slow enough
// to time out. A connection's own timeouts start once it has its slots.
const DefaultMaxBatchConnsPerHost = 32

// hostSlots hands out at most limit concurrent connection slots per
// server (address and port). A slot is held from before the connect until
// the connection is closed, so it counts what the server sees; the next
// connection of a TLS scan's chain takes over the slot of the one before
// it (dialAfter). When a server's slots are taken, a freed
// slot goes to the waiter furthest down its chain of handshakes
// (tlsscan.Step), then to the one waiting longest:
// the chained suite enumerations set a probe's pace, while one-off hellos
// can fill any gap.
type hostSlots struct {
	limit int
	mu    sync.Mutex
	seq   uint64
	hosts map[netip.AddrPort]*hostSlot
}

type hostSlot struct {
	inUse   int
	waiting []*slotWaiter
}

type slotWaiter struct {
	step    int
	seq     uint64
	granted chan struct{}
}

func newHostSlots(limit int) *hostSlots {
	return &hostSlots{limit: limit, hosts: make(map[netip.AddrPort]*hostSlot)}
}

// acquire waits for a free slot at addr, or for ctx to end; step orders
// the waiters (deeper first).
func (h *hostSlots) acquire(ctx context.Context, addr netip.AddrPort, step int) (release func(), err error) {
	h.mu.Lock()
	s := h.hosts[addr]
	if s == nil {
		s = &hostSlot{}
		h.hosts[addr] = s
	}
	var once sync.Once
	release = func() { once.Do(func() { h.release(addr, s) }) }
	if s.inUse < h.limit && len(s.waiting) == 0 {
		s.inUse++
		h.mu.Unlock()
		return release, nil
	}
	h.seq++
	w := &slotWaiter{step: step, seq: h.seq, granted: make(chan struct{})}
	s.waiting = append(s.waiting, w)
	h.mu.Unlock()
	select {
	case <-w.granted:
		return release, nil
	case <-ctx.Done():
	}
	h.mu.Lock()
	if i := slices.Index(s.waiting, w); i >= 0 {
		s.waiting = slices.Delete(s.waiting, i, i+1)
		h.mu.Unlock()
	} else {
		// Granted while giving up: pass the slot on.
		h.mu.Unlock()
		release()
	}
	return nil, fmt.Errorf("probe: waiting for a connection to %s: %w", addr, ctx.Err())
}

// release hands the slot to the best waiter, or frees it; a server with no
// connection and no waiter is forgotten.
func (h *hostSlots) release(addr netip.AddrPort, s *hostSlot) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(s.waiting) > 0 {
		best := 0
		for i, w := range s.waiting {
			if b := s.waiting[best]; w.step > b.step || w.step == b.step && w.seq < b.seq {
				best = i
			}
		}
		w := s.waiting[best]
		s.waiting = slices.Delete(s.waiting, best, best+1)
		close(w.granted)
		return
	}
	if s.inUse--; s.inUse == 0 {
		delete(h.hosts, addr)
	}
}

// dial opens a connection through the SSRF guard; a TCP connection to an
// address and port (every connection the checks open) first takes one of
// that server's slots and gives it back when closed.
func (r *run) dial(ctx context.Context, network, address string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(address)
	if !strings.HasPrefix(network, "tcp") || err != nil {
		return r.dialer.DialContext(ctx, network, address)
	}
	server, step := netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), tlsscan.Step(ctx)
	// The probe's own slot first, then the batch's: a probe never holds
	// more of the batch's slots than its own cap.
	mine, err := r.slots.acquire(ctx, server, step)
	if err != nil {
		return nil, err
	}
	batch, err := r.batchSlots.acquire(ctx, server, step)
	if err != nil {
		mine()
		return nil, err
	}
	release := func() { batch(); mine() }
	conn, err := r.dialer.DialContext(ctx, network, address)
	if err != nil {
		release()
		return nil, err
	}
	return &slotConn{Conn: conn, server: server, release: release}, nil
}

// dialAfter opens the next connection of a TLS scan's chain in the place
// of prev (tlsscan.Config.DialAfter): prev is closed first, so the server
// never sees more than the cap, and its slots go straight to the new
// connection, so the chain never queues behind connections asked for after
// it.
func (r *run) dialAfter(ctx context.Context, prev net.Conn, network, address string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(address)
	if sc, ok := prev.(*slotConn); ok && err == nil && sc.server == netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()) {
		if release := sc.handOff(); release != nil {
			sc.Conn.Close()
			conn, err := r.dialer.DialContext(ctx, network, address)
			if err != nil {
				release()
				return nil, err
			}
			return &slotConn{Conn: conn, server: sc.server, release: release}, nil
		}
	}
	prev.Close()
	return r.dial(ctx, network, address)
}

// dialTimed is dial for connections that must be over within the
// connection timeout from the moment they are open (HTTP fetches): the
// time spent waiting for a slot is not the server's.
func (r *run) dialTimed(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := r.dial(ctx, network, address)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(r.cfg.ConnTimeout))
	return conn, nil
}

// slotConn gives its host slots back when closed, unless it handed them
// to the connection that follows it (handOff).
type slotConn struct {
	net.Conn
	server  netip.AddrPort
	mu      sync.Mutex
	release func()
}

// handOff takes the connection's slots away from it: the caller releases
// them. It returns nil when they are gone already (closed or handed off).
func (c *slotConn) handOff() func() {
	c.mu.Lock()
	defer c.mu.Unlock()
	release := c.release
	c.release = nil
	return release
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	if release := c.handOff(); release != nil {
		release()
	}
	return err
}
