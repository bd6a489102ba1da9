package probetest

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// MailSinkOptions configure a mail sink.
type MailSinkOptions struct {
	// TLS enables STARTTLS: EHLO offers it until the session is upgraded.
	// nil means a plain relay that offers AUTH PLAIN at once.
	TLS *tls.Config
}

// SunkMail is one message a MailSink accepted.
type SunkMail struct {
	// From and To are the MAIL FROM and RCPT TO addresses without brackets.
	From string
	To   []string
	// Data is the message as sent after DATA, up to (not including) the
	// final dot line, CRLFs kept and dots not unstuffed.
	Data string
}

// MailSink is an SMTP relay on 127.0.0.1 that accepts every message, for
// tests of code that sends mail. SMTPServer cannot serve here: it stands in
// for a probed MX and answers MAIL 502 because probes never send mail.
// AUTH is accepted with any credentials, and every command verb is logged
// so a test can check that a password never went out before STARTTLS.
type MailSink struct {
	// Addr is host:port; Port is the same port as a number.
	Addr string
	Port int

	tls   *tls.Config
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
	verbs []string
	mail  []SunkMail
}

// StartMailSink listens on a fresh 127.0.0.1 port until the test ends.
func StartMailSink(t testing.TB, opts MailSinkOptions) *MailSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probetest: mail sink listen: %v", err)
	}
	s := &MailSink{Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port,
		tls: opts.TLS, ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		// Close sessions a client left open so no goroutine outlives the test.
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// Messages returns a copy of the messages accepted so far, oldest first.
func (s *MailSink) Messages() []SunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SunkMail(nil), s.mail...)
}

// Verbs returns every command verb received so far (EHLO, STARTTLS, AUTH,
// MAIL...), upper-cased, in order over all sessions.
func (s *MailSink) Verbs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.verbs...)
}

func (s *MailSink) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

// address takes the mailbox out of "MAIL FROM:<a@b> PARAM" or "RCPT TO:<a@b>".
func address(arg string) string {
	_, a, _ := strings.Cut(arg, ":")
	a, _, _ = strings.Cut(strings.TrimSpace(a), " ")
	return strings.Trim(a, "<>")
}

func (s *MailSink) session(c net.Conn) {
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	say := func(lines ...string) { c.Write([]byte(strings.Join(lines, "\r\n") + "\r\n")) }
	say("220 localhost ESMTP tenderprobe mail sink")
	secure := false
	var cur SunkMail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.mu.Lock()
		s.verbs = append(s.verbs, verb)
		s.mu.Unlock()
		switch verb {
		case "EHLO":
			if s.tls != nil && !secure {
				say("250-localhost", "250 STARTTLS")
			} else {
				say("250-localhost", "250 AUTH PLAIN")
			}
		case "STARTTLS":
			if s.tls == nil || secure {
				say("502 5.5.1 STARTTLS not available")
				continue
			}
			say("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, r, secure = tc, bufio.NewReader(tc), true
		case "AUTH":
			say("235 ok")
		case "MAIL":
			cur = SunkMail{From: address(arg)}
			say("250 ok")
		case "RCPT":
			cur.To = append(cur.To, address(arg))
			say("250 ok")
		case "DATA":
			say("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			cur.Data = data.String()
			s.mu.Lock()
			s.mail = append(s.mail, cur)
			s.mu.Unlock()
			cur = SunkMail{}
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}
