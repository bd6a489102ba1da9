package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"tenderprobe/app/jobs"
	"tenderprobe/app/jobs/jobstest"
	"tenderprobe/app/mail"
	"tenderprobe/app/probe/probetest"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

func TestAScheduledRunRecordsAndMailsAChangedVerdict(t *testing.T) {
	t.Parallel()
	tb := probetest.NewTestbed(t)
	db := dbtest.Open(t)
	f := jobstest.New(t, db, slugs...)
	id := f.Submit(t, "Good Hosting", []string{probetest.GoodDomain}, []string{probetest.GoodDomain})
	sink := probetest.StartMailSink(t, probetest.MailSinkOptions{})
	mailer := &mail.Mailer{Host: "127.0.0.1", Port: sink.Port, From: "tenderprobe@buyer.test"}
	now := time.Now()
	pool := jobs.New(db, engineFor(t, tb), mailer, nil, jobs.Config{Now: func() time.Time { return now }})
	ctx := context.Background()
	drain(t, pool)
	if got := jobstest.Verdicts(t, db, id)["dmarc"]; got != models.VerdictConfirmed {
		t.Fatalf("DMARC is %s before the change", got)
	}
	for _, st := range []string{models.StatusClosed, models.StatusAwarded} {
		if _, err := models.SetTenderStatus(ctx, db, dbtest.ManagerOf(db, f.Tender.ID), f.Tender.ID, st, time.Now()); err != nil {
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
		msgs := sink.Messages()
		if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != f.Officer.Email || !strings.Contains(msgs[0].Data, "DMARC: confirmed → contradicted") {
			t.Errorf("mail %+v", msgs)
		}
	})
}
