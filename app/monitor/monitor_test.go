package monitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/monitor"
	"tenderprobe/app/probe/check"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

// fixture is two buyers over two years: platform tenders and analysed
// documents (see newFixture for what each holds).
type fixture struct {
	db                          *gorm.DB
	relevance                   *monitor.Relevance
	orgA, orgB                  *models.Org
	officerA, officerB, auditor *models.User
	vendor                      *models.User
	t1, t2, t3, t4, t5          uint
	d1, d2                      uint
}

var (
	now2026 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	now2025 = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
)

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// newFixture builds:
//
//	org A, 2026: T1 e-mail, all 8 relevant demanded (spf verified, dkim contradicted);
//	             T2 website, https demanded, hsts only recommended (some; rpki explained);
//	             T3 no kind chosen on purpose (none relevant);
//	             D1 document, dnssec requested, spf only mentioned (some).
//	org B, 2026: T4 e-mail, only https demanded (none); D2 document, https missing (none).
//	org A, 2025: T5 e-mail, spf demanded (some, 1 of 8).
func newFixture(t *testing.T, db *gorm.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := seed.LoadCatalogue(ctx, db); err != nil {
		t.Fatal(err)
	}
	profiles := must[[]models.Profile](t)(seed.Profiles())
	f := &fixture{db: db, relevance: monitor.NewRelevance(profiles)}
	now := time.Now()
	f.orgA = must[*models.Org](t)(models.CreateOrg(ctx, db, nil, "Gemeente A", models.OrgBuyer, now))
	f.orgB = must[*models.Org](t)(models.CreateOrg(ctx, db, nil, "Gemeente B", models.OrgBuyer, now))
	supplier := must[*models.Org](t)(models.CreateOrg(ctx, db, nil, "Leverancier", models.OrgSupplier, now))
	pw := "correct horse battery 1"
	f.officerA = must[*models.User](t)(models.CreateUser(ctx, db, nil, "a@example.test", "A", pw, models.RoleOfficer, &f.orgA.ID, now))
	f.officerB = must[*models.User](t)(models.CreateUser(ctx, db, nil, "b@example.test", "B", pw, models.RoleOfficer, &f.orgB.ID, now))
	f.auditor = must[*models.User](t)(models.CreateUser(ctx, db, nil, "au@example.test", "Au", pw, models.RoleAuditor, nil, now))
	f.vendor = must[*models.User](t)(models.CreateUser(ctx, db, nil, "v@example.test", "V", pw, models.RoleVendor, &supplier.ID, now))

	email := []string{"spf", "dkim", "dmarc", "starttls", "dane", "dnssec", "ipv6", "rpki"}
	f.t1 = f.tender(t, f.officerA, "T1", now2026, []string{"email-service"}, email, nil)
	f.t2 = f.tender(t, f.officerA, "T2", now2026, []string{"website-hosting"}, []string{"https"}, []string{"hsts"})
	f.t3 = f.tender(t, f.officerA, "T3", now2026, []string{}, []string{"https"}, nil)
	f.t4 = f.tender(t, f.officerB, "T4", now2026, []string{"email-service"}, []string{"https"}, nil)
	f.t5 = f.tender(t, f.officerA, "T5", now2025, []string{"email-service"}, []string{"spf"}, nil)

	allowed := f.relevance.Relevant([]string{"website-hosting"})
	if err := models.SaveTenderOmissions(ctx, db, f.officerA, f.t2, map[string]string{"rpki": "Our provider's network is out of our hands."}, allowed, now); err != nil {
		t.Fatal(err)
	}

	// T1's supplier claims everything; the probes confirm spf and
	// contradict dkim.
	tn := must[*models.Tender](t)(models.FindTender(ctx, db, f.t1))
	inv, _, err := models.Invite(ctx, db, f.officerA, f.t1, models.InviteInput{Email: f.vendor.Email}, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	verdicts := map[uint]string{}
	for _, r := range tn.Requirements {
		if _, err := models.SaveAnswer(ctx, db, f.vendor, inv.AttestationID, r.ID, models.AnswerInput{Status: models.AnswerComplies}, now); err != nil {
			t.Fatal(err)
		}
		switch r.Standard.Slug {
		case "spf":
			verdicts[r.ID] = models.VerdictConfirmed
		case "dkim":
			verdicts[r.ID] = models.VerdictContradicted
		case "dmarc":
			verdicts[r.ID] = models.VerdictInconclusive
		}
	}
	if _, err := models.Submit(ctx, db, f.vendor, inv.AttestationID, models.SubmitInput{Declaration: true, Declarer: "V"}, now); err != nil {
		t.Fatal(err)
	}
	verdictRun(t, db, inv.AttestationID, verdicts)

	f.d1 = f.document(t, f.officerA, now2026, []string{"dnssec", "spf"}, []string{"spf"}, map[string]string{"dnssec": "requested", "spf": "mentioned"})
	f.d2 = f.document(t, f.officerB, now2026, []string{"https"}, []string{"https"}, map[string]string{"https": "absent"})
	return f
}

// tender publishes a tender of by's org with demanded (mandatory) and
// recommended standards and kinds chosen, recorded as published at.
func (f *fixture) tender(t *testing.T, by *models.User, title string, at time.Time, kinds, demanded, recommended []string) uint {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * 24 * time.Hour)
	tn := must[*models.Tender](t)(models.CreateTender(ctx, f.db, by, models.TenderInput{Title: title, Reference: "REF-" + title, Deadline: &deadline}, time.Now()))
	for _, s := range demanded {
		must[*models.Requirement](t)(models.AddRequirement(ctx, f.db, by, tn.ID, models.RequirementInput{Standard: s, Level: models.LevelMandatory}, time.Now()))
	}
	for _, s := range recommended {
		must[*models.Requirement](t)(models.AddRequirement(ctx, f.db, by, tn.ID, models.RequirementInput{Standard: s, Level: models.LevelRecommended}, time.Now()))
	}
	must[*models.Tender](t)(models.PublishTender(ctx, f.db, by, tn.ID, time.Now()))
	if err := models.RecordPublication(ctx, f.db, tn.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := models.SetTenderKinds(ctx, f.db, by, tn.ID, kinds, f.relevance.Kinds(), time.Now()); err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// document stores an analysis as document analysis does.
func (f *fixture) document(t *testing.T, by *models.User, at time.Time, relevant, missing []string, status map[string]string) uint {
	t.Helper()
	type std struct {
		Slug   string `json:"slug"`
		Status string `json:"status"`
	}
	res := struct {
		Standards []std    `json:"standards"`
		Relevant  []string `json:"relevant"`
		Missing   []string `json:"missing"`
	}{Relevant: relevant, Missing: missing}
	for slug, s := range status {
		res.Standards = append(res.Standards, std{slug, s})
	}
	b, _ := json.Marshal(res)
	d := &models.TenderDocument{Name: "doc.pdf", Format: "pdf", Language: "nl", Kinds: []string{"email-service"},
		Relevant: len(relevant), Requested: len(relevant) - len(missing), Missing: len(missing), Result: string(b)}
	if err := models.CreateTenderDocument(context.Background(), f.db, by, d, at); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// verdictRun stores a finished probe run of the attestation's current
// version with the given verdict per requirement.
func verdictRun(t *testing.T, db *gorm.DB, attID uint, verdicts map[uint]string) {
	t.Helper()
	a := must[*models.Attestation](t)(models.FindAttestation(context.Background(), db, attID))
	at := time.Now().UTC()
	run := models.ProbeRun{AttestationID: a.ID, Version: a.Version, Status: models.RunDone, Reason: models.RunReasonManual, CreatedAt: at, FinishedAt: &at}
	if err := db.Omit("Attestation").Create(&run).Error; err != nil {
		t.Fatal(err)
	}
	for _, an := range a.Answers {
		v, ok := verdicts[an.RequirementID]
		if !ok {
			continue
		}
		row := models.Verification{RunID: run.ID, AttestationID: a.ID, AnswerID: an.ID, RequirementID: an.RequirementID, Status: v, CheckedAt: at,
			Checks: []models.VerificationCheck{{ID: check.WebHTTPS, Domain: "example.test", Status: check.Pass}}}
		if err := db.Omit("Run", "Answer").Create(&row).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func load(t *testing.T, f *fixture, viewer *models.User, year int, org uint) *monitor.Monitor {
	t.Helper()
	s, err := models.MonitorScopeFor(viewer, year, org)
	if err != nil {
		t.Fatal(err)
	}
	m, err := monitor.Load(context.Background(), f.db, f.relevance, s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func row(m *monitor.Monitor, source string, id uint) *monitor.Tender {
	for i := range m.Tenders {
		if m.Tenders[i].Source == source && m.Tenders[i].ID == id {
			return &m.Tenders[i]
		}
	}
	return nil
}

func standard(m *monitor.Monitor, slug string) monitor.Standard {
	for _, s := range m.Standards {
		if s.Slug == slug {
			return s
		}
	}
	return monitor.Standard{}
}

func TestMonitorOnAKnownFixture(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		a := load(t, f, f.officerA, 2026, 0)

		t.Run("each tender of the buyer gets its class", func(t *testing.T) {
			cases := []struct {
				name              string
				source            string
				id                uint
				class             string
				relevant, request int
			}{
				{"a tender demanding all of its kind's standards is all", monitor.SourcePlatform, f.t1, monitor.ClassAll, 8, 8},
				{"a recommendation is not a request, so the website tender is some", monitor.SourcePlatform, f.t2, monitor.ClassSome, 7, 1},
				{"a tender bought with no kind of ICT has none relevant", monitor.SourcePlatform, f.t3, monitor.ClassNoneRelevant, 0, 0},
				{"a document that only mentions spf requests it not", monitor.SourceDocument, f.d1, monitor.ClassSome, 2, 1},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					r := row(a, c.source, c.id)
					if r == nil {
						t.Fatalf("no row for %s %d in %+v", c.source, c.id, a.Tenders)
					}
					if r.Class != c.class || len(r.Relevant) != c.relevant || len(r.Requested) != c.request {
						t.Errorf("class %s, %d relevant, %d requested; want %s, %d, %d", r.Class, len(r.Relevant), len(r.Requested), c.class, c.relevant, c.request)
					}
				})
			}
		})

		t.Run("the headline sums the buyer's tenders and documents", func(t *testing.T) {
			h := a.Headline
			want := map[string]int{monitor.ClassAll: 1, monitor.ClassSome: 2, monitor.ClassNone: 0, monitor.ClassNoneRelevant: 1}
			if h.Assessed != 4 || h.Platform != 3 || h.Documents != 1 || h.Relevant != 17 || h.Requested != 10 || h.Explained != 1 {
				t.Errorf("headline %+v", h)
			}
			for c, n := range want {
				if h.Classes[c] != n {
					t.Errorf("%d tenders of class %s, want %d", h.Classes[c], c, n)
				}
			}
		})

		t.Run("only a standard whose every verdict passed counts as verified", func(t *testing.T) {
			if a.Headline.OnSheet != 10 || a.Headline.Verified != 1 {
				t.Errorf("%d verified of %d demanded, want 1 of 10 (spf; dkim contradicted, dmarc inconclusive)", a.Headline.Verified, a.Headline.OnSheet)
			}
			if r := row(a, monitor.SourcePlatform, f.t1); r.Verified != 1 || r.OnSheet != 8 {
				t.Errorf("T1 verified %d of %d", r.Verified, r.OnSheet)
			}
			if s := standard(a, "dkim"); s.Verified != 0 || s.OnSheet != 1 {
				t.Errorf("dkim %+v", s)
			}
		})

		t.Run("the explanation for leaving rpki out is listed", func(t *testing.T) {
			if len(a.Explanations) != 1 || a.Explanations[0].Slug != "rpki" || a.Explanations[0].TenderID != f.t2 {
				t.Errorf("explanations %+v", a.Explanations)
			}
			if s := standard(a, "rpki"); s.Explained != 1 {
				t.Errorf("rpki explained %d times", s.Explained)
			}
		})

		t.Run("the change since last year is in percentage points", func(t *testing.T) {
			if a.Previous == nil || a.Previous.Assessed != 1 || a.ShareChange == nil || *a.ShareChange != 46.3 {
				t.Fatalf("previous %+v, change %v; want 1 assessed and +46.3 (10/17 against 1/8)", a.Previous, a.ShareChange)
			}
			spf := standard(a, "spf")
			if spf.Relevant != 2 || spf.Requested != 1 || spf.PreviousRelevant != 1 || spf.PreviousRequested != 1 || spf.Change == nil || *spf.Change != -50 {
				t.Errorf("spf %+v (change %v)", spf, spf.Change)
			}
			if ipv6 := standard(a, "https"); ipv6.Change != nil {
				t.Errorf("https was not relevant last year, yet changed by %v", *ipv6.Change)
			}
		})

		t.Run("all buyers count both organisations", func(t *testing.T) {
			all := load(t, f, f.auditor, 2026, 0)
			if all.Headline.Assessed != 6 || all.Headline.Classes[monitor.ClassNone] != 2 || all.Headline.Relevant != 26 {
				t.Errorf("all buyers %+v", all.Headline)
			}
			onlyB := load(t, f, f.auditor, 2026, f.orgB.ID)
			if onlyB.Headline.Assessed != 2 {
				t.Errorf("the auditor's filter on B gives %d tenders", onlyB.Headline.Assessed)
			}
		})

		t.Run("an officer never sees another buyer's tenders or documents", func(t *testing.T) {
			b := load(t, f, f.officerB, 2026, 0)
			var ids []uint
			for _, r := range b.Tenders {
				ids = append(ids, r.ID)
				if r.BuyerOrgID != f.orgB.ID {
					t.Errorf("officer B sees %s %d of org %d", r.Source, r.ID, r.BuyerOrgID)
				}
			}
			if !slices.Contains(ids, f.t4) || !slices.Contains(ids, f.d2) || len(ids) != 2 {
				t.Errorf("officer B sees %v, want T4 and D2", ids)
			}
			if _, err := models.MonitorScopeFor(f.officerB, 2026, f.orgA.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("officer B asking for A's monitor: %v, want not found", err)
			}
			if _, err := models.MonitorScopeFor(f.vendor, 2026, 0); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("a vendor's monitor: %v, want forbidden", err)
			}
		})
	})
}

func TestClassOf(t *testing.T) {
	cases := []struct {
		name                string
		relevant, requested int
		want                string
	}{
		{"nothing relevant is its own class", 0, 0, monitor.ClassNoneRelevant},
		{"every relevant standard requested is all", 3, 3, monitor.ClassAll},
		{"one of three is some", 3, 1, monitor.ClassSome},
		{"none of three is none", 3, 0, monitor.ClassNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := monitor.ClassOf(c.relevant, c.requested); got != c.want {
				t.Errorf("ClassOf(%d, %d) = %s, want %s", c.relevant, c.requested, got, c.want)
			}
		})
	}
}
