package tlsscan

import (
	"context"
	"slices"
	"sync"
)

// extras are the measurements beside the scan that need a handshake
// crypto/tls cannot make: client-initiated renegotiation and 0-RTT. Each
// starts at once on its own connection (two more for 0-RTT when the
// server offers it) and is kept only when the version results show the
// protocol it tests is spoken.
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
			x.reneg, x.renegErr = s.clientRenegotiation(ctx)
		}()
	}
	if s.cfg.EarlyData && slices.Contains(versions, TLS13) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x.early, x.earlyErr = s.earlyData(ctx)
		}()
	}
	return x
}

// report puts the outcomes in r: nil when the protocol they test is not
// spoken, an error when it is but the measurement failed.
func (x *extras) report(r *Report, results []VersionResult) {
	accepted := func(ok func(Version) bool) bool {
		return slices.ContainsFunc(results, func(vr VersionResult) bool { return vr.Accepted && ok(vr.Version) })
	}
	switch {
	case x.reneg != nil:
		r.ClientRenegotiation = x.reneg
	case x.renegErr != nil && accepted(func(v Version) bool { return v >= TLS10 && v <= TLS12 }):
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
