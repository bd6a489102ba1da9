package probetest

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Binary finds a program the test needs (a Debian package's binary). When
// it is missing the test is skipped, except in CI (CI=true), where that
// is a failure: CI installs every package the tests name.
func Binary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("probetest: %s not installed: %v", name, err)
		}
		t.Skipf("probetest: %s not installed", name)
	}
	return p
}

// WriteKeyPair writes cert's chain and key as PEM files in a temporary
// directory, for servers that read them from disk.
func WriteKeyPair(t testing.TB, cert tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatalf("probetest: marshal key: %v", err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// StartOpenSSLServer runs `openssl s_server` (Debian package openssl) on a
// fresh 127.0.0.1 port with cert and the given flags (for example -www,
// -client_renegotiation, -early_data) and returns its address. The
// server is stopped when the test ends.
func StartOpenSSLServer(t testing.TB, cert tls.Certificate, args ...string) string {
	t.Helper()
	bin := Binary(t, "openssl")
	certFile, keyFile := WriteKeyPair(t, cert)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"s_server", "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFile}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	// An open, silent stdin: without -www or -rev s_server sends what it
	// reads there, and ends the session at its end.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("probetest: start openssl s_server: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		stdin.Close()
		cancel()
		<-done
	})
	addr := make(chan string, 1)
	go func() {
		defer close(done)
		// Keep reading: s_server writes what it sees and would block on a full pipe.
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ACCEPT "); ok {
				addr <- a
			}
		}
		cmd.Wait()
	}()
	select {
	case a := <-addr:
		return a
	case <-done:
		t.Fatalf("probetest: openssl s_server %v exited without listening", args)
	case <-time.After(10 * time.Second):
		t.Fatalf("probetest: openssl s_server %v did not listen", args)
	}
	return ""
}

// StartNginx runs nginx (Debian package nginx-light) on a fresh 127.0.0.1
// port serving HTTPS with cert; server holds extra directives for the
// server block (for example "ssl_early_data on;" and locations). Without
// a location of its own, / answers 200. It returns the address.
func StartNginx(t testing.TB, cert tls.Certificate, server string) string {
	t.Helper()
	bin := Binary(t, "nginx")
	certFile, keyFile := WriteKeyPair(t, cert)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	if !strings.Contains(server, "location") {
		server += "\nlocation / { return 200 \"ok\\n\"; }"
	}
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	server {
		listen %[2]s ssl;
		ssl_certificate %[3]s;
		ssl_certificate_key %[4]s;
		ssl_protocols TLSv1.2 TLSv1.3;
		%[5]s
	}
}
`, dir, addr, certFile, keyFile, server)
	confFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-p", dir, "-c", confFile, "-e", filepath.Join(dir, "error.log"))
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("probetest: start nginx: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx error log:\n%s", log)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("probetest: nginx exited: %v\n%s", waitErr, log)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("probetest: nginx did not listen")
	return ""
}
