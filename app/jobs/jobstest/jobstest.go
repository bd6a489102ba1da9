// Package jobstest builds what verification tests need: a published tender
// whose vendors have submitted attestations claiming compliance with every
// requirement, each scoped to one vendor domain, and the probe settings
// that point at a probetest loopback internet.
package jobstest

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/probe/probetest"
	"tenderprobe/app/probecli"
	"tenderprobe/models"
	"tenderprobe/seed"
)

// Fixture is a buyer with an officer, one published tender and the
// vendors' submitted attestations.
type Fixture struct {
	DB      *gorm.DB
	Officer *models.User
	Tender  *models.Tender
	// Attestations holds the attestation ids in the order the domains were given.
	Attestations []uint
}

// New loads the catalogue and publishes a tender requiring the standards
// slugs, with no vendor yet.
func New(t testing.TB, db *gorm.DB, slugs ...string) *Fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := seed.LoadCatalogue(ctx, db); err != nil {
		t.Fatal(err)
	}
	buyer, err := models.CreateOrg(ctx, db, nil, "Buyer", models.OrgBuyer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	officer, err := models.CreateUser(ctx, db, nil, "officer@buyer.test", "Olga Officer", "correct horse battery 1", models.RoleOfficer, &buyer.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.CreateTender(ctx, db, officer, models.TenderInput{Title: "Hosting", Reference: "T-1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slugs {
		if _, err := models.AddRequirement(ctx, db, officer, tn.ID, models.RequirementInput{Standard: s, Level: models.LevelMandatory}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if tn, err = models.PublishTender(ctx, db, officer, tn.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	return &Fixture{DB: db, Officer: officer, Tender: tn}
}

// Submit invites a vendor named after name, has it claim compliance with
// every requirement for the web and mail domains given, and submits. It
// returns the attestation id; submitting queued its first probe run.
func (f *Fixture) Submit(t testing.TB, name string, web, mail []string) uint {
	t.Helper()
	return f.SubmitWithManagement(t, name, web, mail, []string{})
}

// SubmitWithManagement is Submit with management endpoints in scope too.
func (f *Fixture) SubmitWithManagement(t testing.TB, name string, web, mail, management []string) uint {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	email := "vendor@" + strings.ReplaceAll(name, " ", "-") + ".example"
	inv, _, err := models.Invite(ctx, f.DB, f.Officer, f.Tender.ID, models.InviteInput{Email: email, Supplier: name}, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	vendor, err := models.FindUserByEmail(ctx, f.DB, email)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := models.FindTender(ctx, f.DB, f.Tender.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tn.Requirements {
		if _, err := models.SaveAnswer(ctx, f.DB, vendor, inv.AttestationID, r.ID, models.AnswerInput{Status: models.AnswerComplies}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.SetScopeAll(ctx, f.DB, vendor, inv.AttestationID, web, mail, management, nil, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(ctx, f.DB, vendor, inv.AttestationID, models.SubmitInput{Declaration: true, Declarer: "Vera Vendor"}, now); err != nil {
		t.Fatal(err)
	}
	f.Attestations = append(f.Attestations, inv.AttestationID)
	return inv.AttestationID
}

// Settings are the probe settings that reach tb, as a user would give them.
func Settings(tb *probetest.Testbed) probecli.Settings {
	return probecli.Settings{
		Resolver: tb.Resolver, TrustAnchor: tb.AnchorFile, CAFile: tb.CA.File, RPKIVRPs: tb.VRPFile, AllowPrivate: true,
		Timeout: 60 * time.Second, HTTPSPort: tb.HTTPSPort, HTTPPort: tb.HTTPPort, SMTPPort: tb.SMTPPort, NSPort: tb.NSPort,
	}
}

// Verdicts returns the newest verdicts of attestation id by standard slug.
func Verdicts(t testing.TB, db *gorm.DB, id uint) map[string]string {
	t.Helper()
	ctx := context.Background()
	a, err := models.FindAttestation(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := models.LatestVerifications(ctx, db, a.ID, a.Version)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, an := range a.Answers {
		if v, ok := latest[an.ID]; ok {
			out[an.Requirement.Standard.Slug] = v.Status
		}
	}
	return out
}
