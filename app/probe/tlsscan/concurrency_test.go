package tlsscan

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// slowListener is a loopback listener whose connections answer 10 ms late.
func slowListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return probetest.DelayListener(ln, 10*time.Millisecond)
}

// limitedDialer lets at most limit connections be open at once and records
// the most that were.
type limitedDialer struct {
	sem       chan struct{}
	open, max atomic.Int64
}

func newLimitedDialer(limit int) *limitedDialer {
	return &limitedDialer{sem: make(chan struct{}, limit)}
}

func (d *limitedDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		<-d.sem
		return nil, err
	}
	n := d.open.Add(1)
	for m := d.max.Load(); n > m && !d.max.CompareAndSwap(m, n); m = d.max.Load() {
	}
	return &limitedConn{Conn: c, d: d}, nil
}

type limitedConn struct {
	net.Conn
	d    *limitedDialer
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.d.open.Add(-1); <-c.d.sem })
	return err
}

// verdictOf is what a scan found, without how it went about it
// (connections, duration) and with the features collected from
// concurrent hellos in a fixed order.
func verdictOf(t *testing.T, rep *Report) string {
	t.Helper()
	r := *rep
	r.Connections, r.DurationMS = 0, 0
	r.KexGroups = slices.Clone(r.KexGroups)
	slices.SortFunc(r.KexGroups, func(a, b Group) int { return int(a.ID) - int(b.ID) })
	r.KexSigAlgs = slices.Clone(r.KexSigAlgs)
	slices.SortFunc(r.KexSigAlgs, func(a, b SigAlg) int { return int(a.ID) - int(b.ID) })
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestScanFindsTheSameWhetherHandshakesRunAtOnceOrOneByOne(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "www.example.test")
	// Every answer comes 10 ms late, so that handshakes started together
	// are open together however fast the machine is.
	modern := serveTLSOn(t, slowListener(t), &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, CipherSuites: []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	}})
	legacyServer := &rawServer{minVersion: SSL30, maxVersion: TLS12, certDER: cert.Certificate[0],
		suites: []uint16{0x009E, 0x0033, 0x000A, 0x0005}}
	legacy := legacyServer.startOn(t, slowListener(t))
	tests := []struct {
		name, addr string
		mode       Mode
	}{
		{"a full scan of a modern server", modern, Full},
		{"a quick scan of a modern server", modern, Quick},
		{"a full scan of a legacy server with DHE and RC4", legacy, Full},
		{"a quick scan of a legacy server with DHE and RC4", legacy, Quick},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			one, many := newLimitedDialer(1), newLimitedDialer(64)
			byOne := scan(t, tt.addr, "www.example.test", ca, func(c *Config) { c.Dial, c.Mode = one.dial, tt.mode })
			atOnce := scan(t, tt.addr, "www.example.test", ca, func(c *Config) { c.Dial, c.Mode = many.dial, tt.mode })
			if got, want := verdictOf(t, atOnce), verdictOf(t, byOne); got != want {
				t.Errorf("handshakes at once found\n%s\none by one\n%s", got, want)
			}
			if one.max.Load() != 1 {
				t.Errorf("the one-by-one scan had %d connections open at once", one.max.Load())
			}
			if many.max.Load() < 3 {
				t.Errorf("the scan had at most %d connections open at once; its handshakes did not overlap", many.max.Load())
			}
		})
	}
}
