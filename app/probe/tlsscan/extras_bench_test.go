package tlsscan

import (
	"context"
	"net"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// BenchmarkExtrasWithLatency times scans over a 20 ms (each way) network
// path to nginx with 0-RTT on, as the web checks run them (full mode,
// EarlyData) and as the mail checks do (quick mode), and the
// renegotiation test alone against OpenSSL allowing all eleven
// renegotiations (its worst case: 24 round trips on one connection). Run
// on a tree without the extras to see what they add:
//
//	go test ./app/probe/tlsscan -run - -bench ExtrasWithLatency -benchtime 3x
func BenchmarkExtrasWithLatency(b *testing.B) {
	ca := probetest.NewCA(b)
	cert := ca.Issue(b, probetest.LeafOptions{}, "bench.example.test")
	nginx := behindPath(b, probetest.StartNginx(b, cert, "ssl_early_data on;"), 20*time.Millisecond)
	for _, mode := range []struct {
		name string
		mode Mode
	}{{"full", Full}, {"quick", Quick}} {
		b.Run("scan/"+mode.name, func(b *testing.B) {
			conns := 0
			for b.Loop() {
				rep, err := Scan(context.Background(), Config{Addr: nginx, ServerName: "bench.example.test", RootCAs: ca.Pool, Mode: mode.mode, EarlyData: mode.mode == Full})
				if err != nil {
					b.Fatal(err)
				}
				conns = rep.Connections
			}
			b.ReportMetric(float64(conns), "conns/scan")
		})
	}
	b.Run("renegotiation-allowed", func(b *testing.B) {
		addr := behindPath(b, probetest.StartOpenSSLServer(b, cert, "-client_renegotiation"), 20*time.Millisecond)
		s := &scanner{cfg: Config{Addr: addr, ServerName: "bench.example.test", Timeout: 10 * time.Second}}
		s.cfg.Dial = (&net.Dialer{Timeout: s.cfg.Timeout}).DialContext
		for b.Loop() {
			res, err := s.clientRenegotiation(context.Background())
			if err != nil || res.Accepted != RenegAttempts {
				b.Fatalf("%+v %v", res, err)
			}
		}
	})
}
