package probetest

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// SMTPOptions configure a test SMTP server.
type SMTPOptions struct {
	// Hostname is announced in the greeting and the EHLO answer.
	Hostname string
	// TLS enables STARTTLS; nil means the server does not offer it.
	TLS *tls.Config
	// RefuseSTARTTLS offers STARTTLS in EHLO but answers the command 454,
	// as an overloaded or misconfigured server does.
	RefuseSTARTTLS bool
	// RejectGreeting greets with 554 and hangs up (an anti-spam refusal).
	RejectGreeting bool
}

// SMTPServer is a small ESMTP server for STARTTLS probes: it greets, answers
// EHLO (multi-line, offering STARTTLS when configured), upgrades on
// STARTTLS and then accepts EHLO again, and answers NOOP, RSET and QUIT.
// Probes never send mail, so MAIL, RCPT and DATA are answered 502.
type SMTPServer struct {
	Addr string
	// Sessions counts accepted connections; STARTTLS counts upgrades.
	Sessions atomic.Int64
	STARTTLS atomic.Int64

	opts SMTPOptions
	ln   net.Listener
	wg   sync.WaitGroup
}

// StartSMTP listens on a fresh 127.0.0.1 port.
func StartSMTP(t testing.TB, opts SMTPOptions) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probetest: smtp listen: %v", err)
	}
	return ServeSMTP(t, ln, opts)
}

// ServeSMTP serves SMTP on ln (for servers sharing one port over several
// loopback addresses) until the test ends.
func ServeSMTP(t testing.TB, ln net.Listener, opts SMTPOptions) *SMTPServer {
	if opts.Hostname == "" {
		opts.Hostname = "mx.test"
	}
	s := &SMTPServer{Addr: ln.Addr().String(), opts: opts, ln: ln}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *SMTPServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.Sessions.Add(1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
		}()
	}
}

func (s *SMTPServer) session(c net.Conn) {
	defer func() { c.Close() }()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	host := s.opts.Hostname
	w := func(lines ...string) bool {
		_, err := c.Write([]byte(strings.Join(lines, "\r\n") + "\r\n"))
		return err == nil
	}
	if s.opts.RejectGreeting {
		w("554 5.7.1 " + host + " no service for you")
		return
	}
	if !w("220 " + host + " ESMTP tenderprobe test server") {
		return
	}
	br := bufio.NewReader(c)
	secure := false
	for {
		line, err := br.ReadString('\n')
		if err != nil || len(line) > 1000 {
			return
		}
		verb, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(line)), " ")
		switch verb {
		case "EHLO":
			lines := []string{"250-" + host + " greets you", "250-PIPELINING", "250-SIZE 10240000", "250-8BITMIME"}
			if s.opts.TLS != nil && !secure {
				lines = append(lines, "250-STARTTLS")
			}
			w(append(lines, "250 SMTPUTF8")...)
		case "HELO":
			w("250 " + host)
		case "STARTTLS":
			switch {
			case s.opts.TLS == nil || secure:
				w("502 5.5.1 STARTTLS not available")
				continue
			case s.opts.RefuseSTARTTLS:
				w("454 4.7.0 TLS not available due to temporary reason")
				continue
			}
			w("220 2.0.0 Ready to start TLS")
			tc := tls.Server(c, s.opts.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			s.STARTTLS.Add(1)
			c, br, secure = tc, bufio.NewReader(tc), true
		case "NOOP", "RSET":
			w("250 2.0.0 OK")
		case "QUIT":
			w("221 2.0.0 Bye")
			return
		default:
			w("502 5.5.2 Command not implemented")
		}
	}
}
