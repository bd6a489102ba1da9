package tlsscan

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// behindPath puts backend behind a network path that delays every packet
// d in each direction (probetest.DelayedListener.SetPathDelay) and returns
// the address in front.
func behindPath(t testing.TB, backend string, d time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dl := probetest.DelayListener(ln, 0)
	dl.SetPathDelay(d)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := dl.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				go func() {
					io.Copy(b, c)
					b.Close()
				}()
				io.Copy(c, b)
				b.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

func TestEarlyData(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	cert := ca.Issue(t, probetest.LeafOptions{}, "zero.example.test")
	tests := []struct {
		name      string
		addr      func(t *testing.T) string
		earlyData bool
		want      *EarlyDataResult
	}{
		{"nginx with ssl_early_data accepts the request and answers 200", func(t *testing.T) string {
			return probetest.StartNginx(t, cert, "ssl_early_data on;")
		}, true, &EarlyDataResult{Offered: true, Accepted: true, HTTPStatus: 200}},
		{"nginx that answers early requests 425 Too Early", func(t *testing.T) string {
			// nginx says 425 only while the handshake is not complete; a
			// network path of 20 ms each way keeps the client's Finished
			// away long enough on loopback.
			return behindPath(t, probetest.StartNginx(t, cert, `ssl_early_data on;
				location / { if ($ssl_early_data) { return 425; } return 200 "ok\n"; }`), 20*time.Millisecond)
		}, true, &EarlyDataResult{Offered: true, Accepted: true, HTTPStatus: 425}},
		{"nginx without ssl_early_data offers no 0-RTT", func(t *testing.T) string {
			return probetest.StartNginx(t, cert, "")
		}, true, &EarlyDataResult{}},
		{"OpenSSL with -early_data accepts it (s_server answers no HTTP)", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, cert, "-early_data")
		}, true, &EarlyDataResult{Offered: true, Accepted: true}},
		{"OpenSSL with P-384 only and AES-256 accepts it", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, cert, "-early_data", "-groups", "P-384", "-ciphersuites", "TLS_AES_256_GCM_SHA384")
		}, true, &EarlyDataResult{Offered: true, Accepted: true}},
		{"OpenSSL with ChaCha20-Poly1305 only accepts it", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, cert, "-early_data", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256")
		}, true, &EarlyDataResult{Offered: true, Accepted: true}},
		{"OpenSSL that offers early data in tickets but takes none", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, cert, "-max_early_data", "16384", "-recv_max_early_data", "16384")
		}, true, &EarlyDataResult{Offered: true}},
		{"crypto/tls never offers 0-RTT", func(t *testing.T) string {
			return startGoHTTPS(t, &tls.Config{Certificates: []tls.Certificate{cert}})
		}, true, &EarlyDataResult{}},
		{"a TLS 1.2-only server is not tested", func(t *testing.T) string {
			return startGoHTTPS(t, &tls.Config{MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}})
		}, true, nil},
		{"a scan without Config.EarlyData does not test", func(t *testing.T) string {
			return probetest.StartNginx(t, cert, "ssl_early_data on;")
		}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := tt.addr(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep, err := Scan(ctx, Config{Addr: addr, ServerName: "zero.example.test", RootCAs: ca.Pool, Mode: Quick, EarlyData: tt.earlyData, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			got := rep.EarlyData
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Fatalf("EarlyData = %+v, want %+v (errors %v)", got, tt.want, rep.Errors)
			}
		})
	}
}
