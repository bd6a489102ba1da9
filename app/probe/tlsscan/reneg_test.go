package tlsscan

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tenderprobe/app/probe/probetest"
)

// startGoHTTPS serves HTTPS with crypto/tls (which refuses renegotiation
// and never offers 0-RTT) and returns the address.
func startGoHTTPS(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// startSTARTTLSFront speaks SMTP up to STARTTLS and then hands the
// connection's bytes to backend (a real TLS server), so that a TLS
// server without SMTP of its own can be measured through the mail path.
func startSTARTTLSFront(t testing.TB, backend string) string {
	t.Helper()
	return probetest.Serve(t, probetest.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		r := bufio.NewReader(c)
		io.WriteString(c, "220 mx.example.test ESMTP\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"):
				io.WriteString(c, "250-mx.example.test\r\n250 STARTTLS\r\n")
			case cmd == "STARTTLS":
				io.WriteString(c, "220 go ahead\r\n")
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				// Either side closing ends both, as a real server's would.
				go func() {
					io.Copy(b, r)
					b.Close()
				}()
				io.Copy(c, b)
				b.Close()
				return
			default:
				io.WriteString(c, "502 no\r\n")
			}
		}
	})
}

// smtpStartTLS is the client side of the SMTP preamble.
func smtpStartTLS(_ context.Context, c net.Conn) error {
	r := bufio.NewReader(c)
	read := func() (string, error) {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return "", err
			}
			if len(line) < 4 || line[3] != '-' {
				return line, nil
			}
		}
	}
	if _, err := read(); err != nil {
		return err
	}
	for _, cmd := range []string{"EHLO probe.example.test", "STARTTLS"} {
		if _, err := io.WriteString(c, cmd+"\r\n"); err != nil {
			return err
		}
		line, err := read()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "2") {
			return &net.OpError{Op: cmd, Err: io.ErrUnexpectedEOF}
		}
	}
	return nil
}

func TestClientRenegotiation(t *testing.T) {
	t.Parallel()
	ca := probetest.NewCA(t)
	ecCert := ca.Issue(t, probetest.LeafOptions{}, "reneg.example.test")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaCert := ca.Issue(t, probetest.LeafOptions{Key: rsaKey}, "reneg.example.test")
	tests := []struct {
		name     string
		addr     func(t *testing.T) string
		preamble func(context.Context, net.Conn) error
		want     *RenegResult
	}{
		{"OpenSSL refuses client renegotiation by default", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, ecCert)
		}, nil, &RenegResult{Accepted: 0, Attempts: 11}},
		{"OpenSSL with -client_renegotiation completes all eleven", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, ecCert, "-client_renegotiation")
		}, nil, &RenegResult{Accepted: 11, Attempts: 11}},
		{"OpenSSL with an RSA key and DHE only completes all eleven", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, rsaCert, "-client_renegotiation", "-no_tls1_3", "-cipher", "DHE-RSA-AES128-GCM-SHA256")
		}, nil, &RenegResult{Accepted: 11, Attempts: 11}},
		{"OpenSSL with RSA key exchange and AES-256 is measured", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, rsaCert, "-client_renegotiation", "-no_tls1_3", "-cipher", "AES256-GCM-SHA384")
		}, nil, &RenegResult{Accepted: 11, Attempts: 11}},
		{"OpenSSL with ChaCha20-Poly1305 only completes all eleven", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, ecCert, "-client_renegotiation", "-no_tls1_3", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305")
		}, nil, &RenegResult{Accepted: 11, Attempts: 11}},
		{"a TLS 1.0 server with AES-CBC completes all eleven", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, ecCert, "-client_renegotiation", "-tls1", "-cipher", "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0")
		}, nil, &RenegResult{Accepted: 11, Attempts: 11}},
		{"a TLS 1.1 server with DHE and AES-256-CBC completes all eleven", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, rsaCert, "-client_renegotiation", "-tls1_1", "-cipher", "DHE-RSA-AES256-SHA:@SECLEVEL=0")
		}, nil, &RenegResult{Accepted: 11, Attempts: 11}},
		{"a TLS 1.2 server with AES-CBC and SHA-384 completes all eleven", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, ecCert, "-client_renegotiation", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384")
		}, nil, &RenegResult{Accepted: 11, Attempts: 11}},
		{"a TLS 1.0 server that refuses renegotiation", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, ecCert, "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0")
		}, nil, &RenegResult{Accepted: 0, Attempts: 11}},
		{"a server with only suites the client lacks cannot be measured", func(t *testing.T) string {
			return probetest.StartOpenSSLServer(t, ecCert, "-client_renegotiation", "-tls1_2", "-cipher", "ECDHE-ECDSA-CAMELLIA128-SHA256:@SECLEVEL=0")
		}, nil, &RenegResult{Attempts: 11, Error: "tlsscan: server sent alert 40 (handshake_failure)"}},
		{"crypto/tls refuses renegotiation", func(t *testing.T) string {
			return startGoHTTPS(t, &tls.Config{Certificates: []tls.Certificate{ecCert}})
		}, nil, &RenegResult{Accepted: 0, Attempts: 11}},
		{"OpenSSL behind SMTP STARTTLS accepts renegotiation", func(t *testing.T) string {
			return startSTARTTLSFront(t, probetest.StartOpenSSLServer(t, ecCert, "-client_renegotiation"))
		}, smtpStartTLS, &RenegResult{Accepted: 11, Attempts: 11}},
		{"a crypto/tls SMTP server refuses renegotiation after STARTTLS", func(t *testing.T) string {
			return probetest.StartSMTP(t, probetest.SMTPOptions{TLS: &tls.Config{Certificates: []tls.Certificate{ecCert}}}).Addr
		}, smtpStartTLS, &RenegResult{Accepted: 0, Attempts: 11}},
		{"a TLS 1.3-only server has no renegotiation to test", func(t *testing.T) string {
			return startGoHTTPS(t, &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{ecCert}})
		}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := tt.addr(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep, err := Scan(ctx, Config{Addr: addr, ServerName: "reneg.example.test", RootCAs: ca.Pool, Mode: Quick, Preamble: tt.preamble, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			got := rep.ClientRenegotiation
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Fatalf("ClientRenegotiation = %+v, want %+v (errors %v)", got, tt.want, rep.Errors)
			}
		})
	}
}
