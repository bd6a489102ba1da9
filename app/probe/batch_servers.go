package probe

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// serverShareWindow is how long a batch reuses what it measured of a mail
// server for the other domains that name it: a batch that runs longer
// measures the server again. Ten minutes covers a batch of a few thousand
// domains and is far shorter than anything a server's TLS set-up or
// certificate changes on (internet.nl's batch keeps results longer).
const serverShareWindow = 10 * time.Minute

// maxSharedServers bounds the measurements a batch keeps (each a scan
// report, a transcript and a certificate chain, some tens of kilobytes):
// past it, finished measurements are forgotten, the ones past the window
// first; a forgotten server is measured again if a later domain names it.
const maxSharedServers = 1024

// batchServers is what a batch measured of the mail servers its domains
// share (many domains of a hoster deliver to the same MX). A mail server's
// session and TLS scan depend only on its address, port and name: the
// probe greets with the same EHLO, offers the same hellos with the MX name
// as SNI, and nothing of the domain goes into them. So the first domain
// that names an MX address measures it, on a connection cap of its own
// (MaxConnsPerHost, inside the batch's MaxBatchConnsPerHost), and every
// other domain of the batch that names the same address, port and name
// within serverShareWindow gets that measurement instead of a copy of it
// made a moment later. Single probes (Engine.Probe, the verification
// queue) never share: each is a measurement of its own.
type batchServers struct {
	// ctx is the batch's: a measurement outlives the domain that started
	// it (the others wait for it), but not the batch.
	ctx     context.Context
	mu      sync.Mutex
	entries map[serverKey]*serverEntry
}

// serverKey names one measured server: address and port, and the name it
// was asked for (SNI, the MX name in the transcript).
type serverKey struct {
	addr netip.AddrPort
	name string
}

type serverEntry struct {
	done chan struct{}
	at   time.Time
	mx   mxTarget
}

func newBatchServers(ctx context.Context) *batchServers {
	return &batchServers{ctx: ctx, entries: make(map[serverKey]*serverEntry)}
}

// mxAddr is r.probeMXAddr(ctx, host, ip), measured once per batch and
// window. The domain that comes first measures on its own connection cap
// under the batch's context and the domain's budget; a domain whose own
// budget ends while it waits gets the error its own probe would have had.
func (b *batchServers) mxAddr(ctx context.Context, r *run, host string, ip netip.Addr) mxTarget {
	key := serverKey{netip.AddrPortFrom(ip, uint16(r.cfg.SMTPPort)), host}
	now := r.cfg.Now()
	b.mu.Lock()
	e := b.entries[key]
	if e == nil || now.Sub(e.at) > serverShareWindow || e.at.Sub(now) > serverShareWindow {
		if len(b.entries) >= maxSharedServers {
			b.forget(now)
		}
		e = &serverEntry{done: make(chan struct{}), at: now}
		b.entries[key] = e
		b.mu.Unlock()
		go func() {
			defer close(e.done)
			mctx, cancel := context.WithTimeout(b.ctx, r.cfg.Timeout)
			defer cancel()
			e.mx = r.sharedMeasurer().probeMXAddr(mctx, host, ip)
		}()
	} else {
		b.mu.Unlock()
	}
	select {
	case <-e.done:
		return e.mx
	case <-ctx.Done():
		addr := key.addr.String()
		return mxTarget{Host: host, Addr: addr, ip: ip, Error: ctx.Err().Error(), Untestable: true}
	}
}

// sharedMeasurer is a run for measuring a server on the batch's behalf:
// the domain's configuration and guarded dialer, but a connection cap of
// its own, so that no domain's probe holds more than MaxConnsPerHost
// connections to a server and the measurement does not take the slots of
// the domain that happened to start it.
func (r *run) sharedMeasurer() *run {
	return &run{
		cfg:        r.cfg,
		domain:     r.domain,
		dns:        r.dns,
		validator:  r.validator,
		dialer:     r.dialer,
		slots:      newHostSlots(r.cfg.MaxConnsPerHost),
		batchSlots: r.batchSlots,
	}
}

// forget drops finished measurements until the batch keeps fewer than
// maxSharedServers: those past the window, then any (in map order). A
// measurement still running is kept, since domains wait for it. b.mu is
// held.
func (b *batchServers) forget(now time.Time) {
	finished := func(e *serverEntry) bool {
		select {
		case <-e.done:
			return true
		default:
			return false
		}
	}
	for _, stale := range []bool{true, false} {
		for k, e := range b.entries {
			if len(b.entries) < maxSharedServers {
				return
			}
			if finished(e) && (!stale || now.Sub(e.at) > serverShareWindow) {
				delete(b.entries, k)
			}
		}
	}
}
