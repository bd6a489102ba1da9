package tlsscan

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
)

// extras are the measurements beside the scan that need a handshake
// crypto/tls cannot make: client-initiated renegotiation and 0-RTT. Each
// starts on its own connection (two for 0-RTT when the server offers it)
// as soon as a version probe has heard the server speak the protocol it
// tests, and not at all when none does: no connection is spent on a
// server that could not answer it. In quick mode (mail servers) the
// renegotiation test starts at once instead: each of its sessions costs
// four round trips before the ClientHello (connect, greeting, EHLO,
// STARTTLS), and waiting for a version probe's session would put two
// sessions one after the other on the probe's longest chain. Its
// outcome is the same either way (report keeps it only when a version of
// TLS 1.0 to 1.2 was accepted); a mail server without those versions sees
// one session more.
type extras struct {
	reneg    *RenegResult
	renegErr error
	early    *EarlyDataResult
	earlyErr error
}

func (s *scanner) startExtras(ctx context.Context, wg *sync.WaitGroup, versions []Version) *extras {
	x := &extras{}
	if slices.ContainsFunc(versions, func(v Version) bool { return v >= TLS10 && v <= TLS12 }) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.cfg.Mode == Quick || s.heard.wait(ctx, s.heard.legacy) {
				x.reneg, x.renegErr = s.clientRenegotiation(ctx)
			}
		}()
	}
	if s.cfg.EarlyData && slices.Contains(versions, TLS13) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.heard.wait(ctx, s.heard.tls13) {
				x.early, x.earlyErr = s.earlyData(ctx)
			}
		}()
	}
	return x
}

// heard records which versions the version probes have seen a server
// accept.
type heard struct {
	// legacy and tls13 are closed at the first ServerHello of TLS 1.0 to
	// 1.2 and of TLS 1.3; done when every version probe is over.
	legacy, tls13, done         chan struct{}
	legacyOnce, tls13Once, once sync.Once
	pending                     atomic.Int64
}

func newHeard(versions int) *heard {
	h := &heard{legacy: make(chan struct{}), tls13: make(chan struct{}), done: make(chan struct{})}
	h.pending.Store(int64(versions))
	return h
}

func (h *heard) saw(v Version) {
	switch {
	case v >= TLS10 && v <= TLS12:
		h.legacyOnce.Do(func() { close(h.legacy) })
	case v == TLS13:
		h.tls13Once.Do(func() { close(h.tls13) })
	}
}

func (h *heard) versionDone() {
	if h.pending.Add(-1) == 0 {
		h.once.Do(func() { close(h.done) })
	}
}

// wait reports whether spoken closes before the version probes are over
// without it (or ctx ends).
func (h *heard) wait(ctx context.Context, spoken chan struct{}) bool {
	select {
	case <-spoken:
		return true
	case <-h.done:
		select {
		case <-spoken:
			return true
		default:
			return false
		}
	case <-ctx.Done():
		return false
	}
}

// report puts the outcomes in r: nil when the protocol they test is not
// spoken, an error when it is but the measurement failed.
func (x *extras) report(r *Report, results []VersionResult) {
	accepted := func(ok func(Version) bool) bool {
		return slices.ContainsFunc(results, func(vr VersionResult) bool { return vr.Accepted && ok(vr.Version) })
	}
	legacy := accepted(func(v Version) bool { return v >= TLS10 && v <= TLS12 })
	switch {
	case x.reneg != nil && legacy:
		r.ClientRenegotiation = x.reneg
	case x.renegErr != nil && legacy:
		r.ClientRenegotiation = &RenegResult{Attempts: RenegAttempts, Error: x.renegErr.Error()}
	}
	switch {
	case x.early != nil && (x.early.Error == "" || accepted(func(v Version) bool { return v == TLS13 })):
		r.EarlyData = x.early
	case x.earlyErr != nil && accepted(func(v Version) bool { return v == TLS13 }):
		r.EarlyData = &EarlyDataResult{Error: x.earlyErr.Error()}
	}
	for _, e := range []string{errText(r.ClientRenegotiation), errText(r.EarlyData)} {
		if e != "" {
			r.Errors = append(r.Errors, e)
		}
	}
}

func errText(v any) string {
	switch v := v.(type) {
	case *RenegResult:
		if v != nil && v.Error != "" {
			return "client renegotiation: " + v.Error
		}
	case *EarlyDataResult:
		if v != nil && v.Error != "" {
			return "0-RTT: " + v.Error
		}
	}
	return ""
}
