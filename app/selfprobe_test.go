package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tenderprobe/app/probe"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/probetest"
)

// TestTheAppPassesItsOwnProbe serves the app over TLS on loopback under a
// name the test's DNS server knows, points the probe engine at it with the
// settings a user has (resolver, CA file, ports) and expects the web checks
// that judge the app's own responses and TLS set-up to pass.
func TestTheAppPassesItsOwnProbe(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	leaf := ca.Issue(t, probetest.LeafOptions{}, "tenderprobe.test", "www.tenderprobe.test")
	ln := serveTLS(t, leaf)
	ctx := context.Background()

	dns := probetest.StartDNS(t, "tenderprobe.test. 300 IN A 127.0.0.1")
	// Nothing listens for plain HTTP on this port: "port 80 closed" is as
	// good as a redirect to https.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	engine, err := probe.New(probe.Config{
		Resolver: dns.Addr, RootCAs: ca.Pool, AllowPrivate: true, Timeout: 30 * time.Second,
		HTTPSPort: ln.Addr().(*net.TCPAddr).Port, HTTPPort: httpPort,
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Probe(ctx, "tenderprobe.test")
	if err != nil {
		t.Fatal(err)
	}
	got := map[check.ID]probe.Check{}
	for _, c := range res.Checks {
		got[c.ID] = c
	}
	for _, id := range []check.ID{"web.https", "web.https-redirect", "web.hsts", "web.security-headers", "web.tls-version", "web.tls-ciphers", "web.tls-cert", "web.tls-pq"} {
		t.Run(string(id)+" passes on the app's own responses", func(t *testing.T) {
			c, ok := got[id]
			if !ok {
				t.Fatalf("no %s in the result", id)
			}
			if c.Status != probe.StatusPass {
				t.Errorf("%s = %s: %s (details %v)", id, c.Status, c.Summary, c.Details)
			}
		})
	}
}

// serveTLS writes cert (with its chain) and key to PEM files, serves the
// app over TLS with them through the serve settings on 127.0.0.1:0, and
// returns the listener. The server stops, and must stop cleanly, when the
// test ends.
func serveTLS(t *testing.T, cert tls.Certificate) net.Listener {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseServeConfig([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "tls.db"),
		"--tls-cert", certFile, "--tls-key", keyFile, "--probe-workers", "0"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := Listen(cfg)
	if err != nil {
		cancel()
		srv.Close()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("shutdown: %v", err)
		}
		srv.Close()
	})
	return ln
}
