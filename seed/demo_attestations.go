package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tenderprobe/models"
)

// attestDemoAnswer is one demo vendor's answer to one standard; PlanDays > 0
// sets a planned date that many days from now.
type attestDemoAnswer struct {
	Status      string
	Explanation string
	PlanDays    int
	URL         string
}

// attestDemoVendor describes how a demo vendor answers: its answers by
// standard slug (anything missing complies), its scope and its declarer.
type attestDemoVendor struct {
	Org, Email, Declarer string
	Web, Mail            []string
	Answers              map[string]attestDemoAnswer
}

var attestDemoVendors = []attestDemoVendor{
	{
		Org: DemoSupplier, Email: "vendor@demo.test", Declarer: "Victor Vendor",
		Web: []string{"www.demostad.example", "acme-hosting.example"}, Mail: []string{"acme-hosting.example"},
		Answers: map[string]attestDemoAnswer{
			"https":     {Status: models.AnswerComplies, URL: "https://acme-hosting.example/trust/tls-report-2026.pdf"},
			"iso-27001": {Status: models.AnswerComplies, URL: "https://acme-hosting.example/trust/iso-27001-certificate.pdf"},
			"dnssec": {Status: models.AnswerPartial, PlanDays: 120,
				Explanation: "Customer zones are signed on our new DNS platform; the last fifth of the zones moves there in the third quarter."},
			"security-txt": {Status: models.AnswerDoesNotComply, PlanDays: 30,
				Explanation: "Our security contact is on the website but there is no /.well-known/security.txt yet; it ships with the next release."},
			"rpki": {Status: models.AnswerNotApplicable,
				Explanation: "Our address space is assigned by our upstream provider, which publishes the ROAs; we cannot create them ourselves."},
			"security-headers": {Status: models.AnswerPartial, PlanDays: 60,
				Explanation: "All headers are set except a Content-Security-Policy on the CMS admin pages, which runs in report-only mode."},
			"csp": {Status: models.AnswerPartial, PlanDays: 60, Explanation: "Report-only on the admin pages, enforced on the public site."},
			"pq-key-exchange": {Status: models.AnswerDoesNotComply, PlanDays: 180,
				Explanation: "Our load balancers do not offer X25519MLKEM768 yet; the vendor's next major release does, and we upgrade within a month of it."},
			"owasp-asvs": {Status: models.AnswerNotApplicable,
				Explanation: "We host the site; the application itself is the CMS supplier's responsibility under its own contract."},
			"dmarc": {Status: models.AnswerPartial, PlanDays: 60, Explanation: "p=quarantine today; p=reject after the migration of the last mail flows."},
			"dane":  {Status: models.AnswerDoesNotComply, PlanDays: 150, Explanation: "TLSA records follow once DNSSEC covers every mail domain."},
			"mta-sts": {Status: models.AnswerPartial, PlanDays: 45,
				Explanation: "The policy is published in testing mode; enforce mode follows after a month without reports of failures."},
			"smime": {Status: models.AnswerNotApplicable, Explanation: "We run the mailboxes only; S/MIME certificates come from the council's own PKI."},
		},
	},
	{
		Org: DemoSupplier2, Email: "vendor2@demo.test", Declarer: "Vera Vendor",
		Web: []string{"nordwind.example"}, Mail: []string{"nordwind.example", "mail.nordwind.example"},
		Answers: map[string]attestDemoAnswer{
			"hsts": {Status: models.AnswerPartial, PlanDays: 30, Explanation: "HSTS is on for the main site; two legacy subdomains still answer over plain HTTP."},
			"rpki": {Status: models.AnswerDoesNotComply, PlanDays: 90,
				Explanation: "Our prefixes have no ROAs yet; the registration at our RIR is under way."},
			"csp":        {Status: models.AnswerPartial, PlanDays: 90, Explanation: "A strict policy covers the portal; the marketing pages use an inline-script allowance."},
			"owasp-asvs": {Status: models.AnswerPartial, PlanDays: 120, Explanation: "Verified at level 1; level 2 verification is booked with an external tester."},
			"caa":        {Status: models.AnswerNotApplicable, Explanation: "The council's domains stay in the council's DNS; it sets the CAA records."},
			"smime":      {Status: models.AnswerPartial, PlanDays: 60, Explanation: "S/MIME works in the web client; the mobile apps follow."},
			"iso-27001":  {Status: models.AnswerComplies, URL: "https://nordwind.example/certificates/iso-27001.pdf"},
		},
	},
}

// demoAttestations adds, for each published demo tender, a submitted
// attestation from each demo vendor, then a second version of one (to
// show what changed) and a review with an accepted answer and a
// clarification thread. Existing attestations are left as they are.
func demoAttestations(ctx context.Context, db *gorm.DB, officer *models.User) error {
	now := time.Now().UTC()
	for _, dt := range demoTenders {
		if !dt.Publish {
			continue
		}
		t, err := models.FindTenderByReference(ctx, db, *officer.OrgID, dt.Reference)
		if err != nil {
			return err
		}
		if t.Status != models.StatusPublished {
			continue
		}
		for _, ds := range attestDemoVendors {
			if err := demoAttestation(ctx, db, officer, t, ds, now); err != nil {
				return fmt.Errorf("seed: demo attestation of %s on %s: %w", ds.Org, dt.Reference, err)
			}
		}
	}
	if err := demoFinishRuns(ctx, db, now); err != nil {
		return fmt.Errorf("seed: demo verification: %w", err)
	}
	return nil
}

func demoAttestation(ctx context.Context, db *gorm.DB, officer *models.User, t *models.Tender, ds attestDemoVendor, now time.Time) error {
	vendor, err := models.FindUserByEmail(ctx, db, ds.Email)
	if err != nil {
		return err
	}
	if _, err := models.FindAttestationByTender(ctx, db, t.ID, *vendor.OrgID); err == nil {
		return nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	inv, _, err := models.Invite(ctx, db, officer, t.ID, models.InviteInput{Email: ds.Email}, models.DefaultInvitationTTL, now)
	if err != nil {
		return err
	}
	att := inv.AttestationID
	for _, r := range t.Requirements {
		in := models.AnswerInput{Status: models.AnswerComplies}
		if da, ok := ds.Answers[r.Standard.Slug]; ok {
			in = models.AnswerInput{Status: da.Status, Explanation: da.Explanation, EvidenceURL: da.URL}
			if da.PlanDays > 0 {
				in.PlannedDate = now.AddDate(0, 0, da.PlanDays).Format("2006-01-02")
			}
		}
		if _, err := models.SaveAnswer(ctx, db, vendor, att, r.ID, in, now); err != nil {
			return err
		}
	}
	if _, err := models.SetScope(ctx, db, vendor, att, ds.Web, ds.Mail, nil, now); err != nil {
		return err
	}
	if _, err := models.Submit(ctx, db, vendor, att, models.SubmitInput{Declaration: true, Declarer: ds.Declarer}, now); err != nil {
		return err
	}
	switch ds.Org {
	case DemoSupplier:
		return demoResubmit(ctx, db, vendor, t, att, ds, now)
	case DemoSupplier2:
		return demoClarification(ctx, db, officer, vendor, t, att, now)
	}
	return nil
}

// demoResubmit reopens the first vendor's attestation, improves one answer
// and submits version 2; the officer then accepts the not-applicable
// answer to a mandatory requirement.
func demoResubmit(ctx context.Context, db *gorm.DB, vendor *models.User, t *models.Tender, att uint, ds attestDemoVendor, now time.Time) error {
	for _, r := range t.Requirements {
		switch r.Standard.Slug {
		case "security-txt", "dmarc":
			if _, err := models.Reopen(ctx, db, vendor, att, nil, now); err != nil {
				return err
			}
			in := models.AnswerInput{Status: models.AnswerComplies, EvidenceURL: "https://acme-hosting.example/.well-known/security.txt"}
			if r.Standard.Slug == "dmarc" {
				in.EvidenceURL = "https://acme-hosting.example/trust/dmarc-policy.txt"
			}
			if _, err := models.SaveAnswer(ctx, db, vendor, att, r.ID, in, now); err != nil {
				return err
			}
			if _, err := models.Submit(ctx, db, vendor, att, models.SubmitInput{Declaration: true, Declarer: ds.Declarer}, now.Add(time.Minute)); err != nil {
				return err
			}
		}
	}
	officer, err := models.FindUserByEmail(ctx, db, "officer@demo.test")
	if err != nil {
		return err
	}
	for _, r := range t.Requirements {
		if r.Standard.Slug == "rpki" || r.Standard.Slug == "https" {
			d := models.ReviewDecision{Decision: "accept", Comment: "Accepted."}
			if _, err := models.ReviewAnswer(ctx, db, officer, att, r.ID, d, now.Add(2*time.Minute)); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoClarification has the officer ask the second vendor about one
// answer and the vendor reply in the thread.
func demoClarification(ctx context.Context, db *gorm.DB, officer, vendor *models.User, t *models.Tender, att uint, now time.Time) error {
	for _, r := range t.Requirements {
		if r.Standard.Slug != "rpki" {
			continue
		}
		d := models.ReviewDecision{Decision: "clarify", Comment: "Which RIR request is under way, and by when do you expect the ROAs?"}
		if _, err := models.ReviewAnswer(ctx, db, officer, att, r.ID, d, now.Add(2*time.Minute)); err != nil {
			return err
		}
		_, err := models.ReplyToReview(ctx, db, vendor, att, r.ID, "The request went to RIPE NCC last week; we expect the ROAs within six weeks.", now.Add(3*time.Minute))
		return err
	}
	return nil
}
