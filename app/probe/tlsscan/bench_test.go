package tlsscan

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// BenchmarkScan times a full scan (all five versions, suite enumeration,
// order test, crypto/tls handshake and PQ probe) of loopback servers, and a
// quick scan as the mail checks run it. Connections per scan are reported.
//
//	go test ./app/probe/tlsscan -run - -bench Scan -benchtime 3x
func BenchmarkScan(b *testing.B) {
	ca := probetest.NewCA(b)
	cert := ca.Issue(b, probetest.LeafOptions{}, "bench.example.test")
	servers := []struct {
		name string
		cfg  *tls.Config
		mode Mode
	}{
		{"full/modern", &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		}}, Full},
		{"full/legacy", &tls.Config{MinVersion: tls.VersionTLS10, Certificates: []tls.Certificate{cert}}, Full},
		{"quick/legacy", &tls.Config{MinVersion: tls.VersionTLS10, Certificates: []tls.Certificate{cert}}, Quick},
	}
	for _, srv := range servers {
		b.Run(srv.name, func(b *testing.B) {
			addr := startTLS(b, srv.cfg)
			conns := 0
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				rep, err := Scan(ctx, Config{Addr: addr, ServerName: "bench.example.test", RootCAs: ca.Pool, Mode: srv.mode})
				cancel()
				if err != nil {
					b.Fatal(err)
				}
				conns = rep.Connections
			}
			b.ReportMetric(float64(conns), "conns/scan")
		})
	}
}

// BenchmarkScanWithLatency is BenchmarkScan with every server answer 20 ms
// late (probetest.DelayListener), to show how the connection chains of a
// scan add up over a real network path.
func BenchmarkScanWithLatency(b *testing.B) {
	ca := probetest.NewCA(b)
	cert := ca.Issue(b, probetest.LeafOptions{}, "bench.example.test")
	for _, mode := range []struct {
		name string
		mode Mode
	}{{"full", Full}, {"quick", Quick}} {
		b.Run(mode.name, func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			addr := serveTLSOn(b, probetest.DelayListener(ln, 20*time.Millisecond), &tls.Config{
				MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
			})
			conns := 0
			for b.Loop() {
				rep, err := Scan(context.Background(), Config{Addr: addr, ServerName: "bench.example.test", RootCAs: ca.Pool, Mode: mode.mode})
				if err != nil {
					b.Fatal(err)
				}
				conns = rep.Connections
			}
			b.ReportMetric(float64(conns), "conns/scan")
		})
	}
}
