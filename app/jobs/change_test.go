package jobs_test

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/attest"
	"tenderprobe/app/jobs"
	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// mailSink is a small SMTP server on loopback that accepts every message
// (plain text, no STARTTLS) and keeps recipient and data.
type mailSink struct {
	addr string
	mu   sync.Mutex
	mail []sunkMail
}

type sunkMail struct{ to, data string }

func newMailSink(t *testing.T) *mailSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &mailSink{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
	return s
}

func (s *mailSink) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	say := func(line string) { c.Write([]byte(line + "\r\n")) }
	say("220 sink.test ESMTP")
	var to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			say("250 sink.test")
		case "RCPT":
			to = strings.Trim(strings.TrimPrefix(strings.TrimSpace(line), "RCPT TO:"), "<>")
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
			s.mu.Lock()
			s.mail = append(s.mail, sunkMail{to: to, data: data.String()})
			s.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *mailSink) messages() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.mail...)
}

func TestAScheduledRunRecordsAndMailsAChangedVerdict(t *testing.T) {
	tb := probetest.NewTestbed(t)
	db := dbtest.Open(t)
	f := jobstest.New(t, db, slugs...)
	id := f.Submit(t, "Good Hosting", []string{probetest.GoodDomain}, []string{probetest.GoodDomain})
	sink := newMailSink(t)
	host, port, _ := net.SplitHostPort(sink.addr)
	portN, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	mailer := &attest.Mailer{Host: host, Port: portN, From: "tenderprobe@buyer.test"}
	now := time.Now()
	pool := jobs.New(db, engineFor(t, tb), mailer, nil, jobs.Config{Now: func() time.Time { return now }})
	ctx := context.Background()
	drain(t, pool)
	if got := jobstest.Verdicts(t, db, id)["dmarc"]; got != models.VerdictConfirmed {
		t.Fatalf("DMARC is %s before the change", got)
	}
	for _, st := range []string{models.StatusClosed, models.StatusAwarded} {
		if _, err := models.SetTenderStatus(ctx, db, f.Tender.ID, st); err != nil {
			t.Fatal(err)
		}
	}

	// During the contract the vendor drops its DMARC record.
	tb.Internet.Remove("_dmarc."+probetest.GoodDomain, dns.TypeTXT)
	now = now.Add(8 * 24 * time.Hour)
	queued, err := pool.Schedule(ctx)
	if err != nil || len(queued) != 1 || queued[0].Reason != models.RunReasonScheduled {
		t.Fatalf("scheduled %+v %v", queued, err)
	}
	drain(t, pool)

	t.Run("the new verdict is contradicted", func(t *testing.T) {
		if got := jobstest.Verdicts(t, db, id)["dmarc"]; got != models.VerdictContradicted {
			t.Errorf("DMARC is %s after the record was removed", got)
		}
	})
	t.Run("exactly the changed verdict is recorded", func(t *testing.T) {
		changes, err := models.AttestationChanges(ctx, db, id, 10)
		if err != nil || len(changes) != 1 {
			t.Fatalf("changes %+v %v", changes, err)
		}
		c := changes[0]
		if c.From != models.VerdictConfirmed || c.To != models.VerdictContradicted || c.Reason != models.RunReasonScheduled || !strings.Contains(c.Standard, "DMARC") {
			t.Errorf("change %+v", c)
		}
	})
	t.Run("the buyer's officer is mailed about it", func(t *testing.T) {
		msgs := sink.messages()
		if len(msgs) != 1 || msgs[0].to != f.Officer.Email || !strings.Contains(msgs[0].data, "confirmed -> contradicted") {
			t.Errorf("mail %+v", msgs)
		}
	})
}
