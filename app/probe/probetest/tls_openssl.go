package probetest

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// OpenSSL returns the openssl binary, skipping the test when it is
// missing (failing it on CI, where the package is installed).
func OpenSSL(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is not installed (Debian package openssl)")
		}
		t.Skip("openssl is not installed")
	}
	return bin
}

// OpenSSLOptions configure `openssl s_server`.
type OpenSSLOptions struct {
	// Cert is served: its chain and key are written as PEM files.
	Cert tls.Certificate
	// Args are further s_server flags ("-tls1_2", "-cipher", ...).
	Args []string
	// Config, when set, is an OpenSSL configuration file's text, passed
	// in OPENSSL_CONF (for -ssl_config).
	Config string
}

// StartOpenSSL runs `openssl s_server -www` on host at a free port until
// the test ends, for what Go's TLS server cannot do: DHE key exchange,
// SHA-1 key-exchange signatures, no extended master secret. It returns
// the port once the server accepts connections.
func StartOpenSSL(t testing.TB, host string, o OpenSSLOptions) int {
	t.Helper()
	bin := OpenSSL(t)
	dir := t.TempDir()
	var chain []byte
	for _, der := range o.Cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(o.Cert.PrivateKey)
	if err != nil {
		t.Fatalf("probetest: marshal key: %v", err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeTestFile(t, certFile, string(chain))
	writeTestFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("probetest: find a free port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"s_server", "-www", "-accept", net.JoinHostPort(host, strconv.Itoa(port)), "-cert", certFile, "-key", keyFile}, o.Args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	if o.Config != "" {
		conf := filepath.Join(dir, "openssl.cnf")
		writeTestFile(t, conf, o.Config)
		cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("probetest: start openssl s_server: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "ACCEPT") {
				ready <- true
				break
			}
		}
		ready <- false
		for sc.Scan() {
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("probetest: openssl s_server %v exited: %s", o.Args, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("probetest: openssl s_server %v did not start: %s", o.Args, stderr.String())
	}
	return port
}

// OpenSSLDHParams writes DH parameters made by openssl (args after
// "openssl", e.g. "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt",
// "group:ffdhe3072") to a file and returns its name, for s_server's
// -dhparam.
func OpenSSLDHParams(t testing.TB, args ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dh.pem")
	// Options go before dhparam's bit count.
	cmd := append([]string{args[0], "-out", file}, args[1:]...)
	out, err := exec.Command(OpenSSL(t), cmd...).CombinedOutput()
	if err != nil {
		t.Fatalf("probetest: openssl %v: %v: %s", args, err, out)
	}
	return file
}

// CustomDHParams writes DH parameters (PKCS #3) of a random prime of the
// given size with generator 2, a group of nobody's choosing, and returns
// the file's name for s_server's -dhparam. (openssl dhparam -dsaparam is
// quick too but writes X9.42 parameters, which s_server does not load.)
func CustomDHParams(t testing.TB, bits int) string {
	t.Helper()
	p, err := rand.Prime(rand.Reader, bits)
	if err != nil {
		t.Fatalf("probetest: DH prime: %v", err)
	}
	der, err := asn1.Marshal(struct{ P, G *big.Int }{p, big.NewInt(2)})
	if err != nil {
		t.Fatalf("probetest: DH parameters: %v", err)
	}
	file := filepath.Join(t.TempDir(), "dh.pem")
	writeTestFile(t, file, string(pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: der})))
	return file
}
