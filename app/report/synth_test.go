package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
)

// synthYear describes a synthetic year of procurement for the benchmark
// and for checking the grouped queries against counts kept while the rows
// were made.
type synthYear struct {
	Year, Tenders, Standards, PerTender, VendorsPerTender int
	// Previous tenders are published the year before, for the comparison.
	Previous int
}

// synthCounts are what the annual report must find: answers by standard
// slug and status, verdicts by slug, tenders demanding each slug by level.
type synthCounts struct {
	answers      map[string]map[string]int
	verdicts     map[string]map[string]int
	demanded     map[string]map[string]int
	explanations int
	// given counts the explained answers by slug and text.
	given map[string]map[string]int
}

// bump counts one (a, b) in m.
func bump(m map[string]map[string]int, a, b string) {
	if m[a] == nil {
		m[a] = map[string]int{}
	}
	m[a][b]++
}

// buildSynthYear fills a fresh migrated database with y and returns the
// expected counts of year y.Year. Rows go in with batched inserts: the
// point is the report's cost, not the workflow's.
func buildSynthYear(tb testing.TB, db *gorm.DB, y synthYear) synthCounts {
	tb.Helper()
	ctx := context.Background()
	insert := func(rows any) error {
		return db.WithContext(ctx).Omit(clause.Associations).CreateInBatches(rows, 500).Error
	}
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(42, uint64(y.Tenders)))
	now := time.Date(y.Year+1, 1, 10, 0, 0, 0, 0, time.UTC)
	cv := models.CatalogueVersion{Version: "synthetic", Title: "Synthetic", ImportedAt: now, Current: true}
	must(insert(&cv))
	checks := []check.ID{check.WebDNSSEC, check.WebHTTPS, check.WebHSTS, check.MailDMARC, check.MailSPF, check.MailSTARTTLS}
	stds := make([]models.Standard, y.Standards)
	for i := range stds {
		stds[i] = models.Standard{CatalogueVersionID: cv.ID, Slug: fmt.Sprintf("standard-%02d", i+1), Position: i + 1,
			Name: fmt.Sprintf("Standard %02d", i+1), Domain: models.Domains[i%len(models.Domains)], Summary: "s", WhyDemand: "w", Clause: "c"}
		if i%3 != 0 {
			stds[i].Checks = []check.ID{checks[i%len(checks)]}
		}
	}
	must(insert(&stds))
	buyers := make([]models.Org, 10)
	for i := range buyers {
		buyers[i] = models.Org{Name: fmt.Sprintf("Buyer %02d — Zoë", i), Kind: models.OrgBuyer}
	}
	must(insert(&buyers))
	suppliers := make([]models.Org, 50)
	for i := range suppliers {
		suppliers[i] = models.Org{Name: fmt.Sprintf("Supplier %02d Ångström", i), Kind: models.OrgSupplier}
	}
	must(insert(&suppliers))
	officer := models.User{Email: "synth@example.test", Name: "Synth", PasswordHash: "x", Role: models.RoleOfficer, OrgID: &buyers[0].ID}
	must(insert(&officer))

	counts := synthCounts{answers: map[string]map[string]int{}, verdicts: map[string]map[string]int{}, demanded: map[string]map[string]int{}, given: map[string]map[string]int{}}
	statuses := []string{models.AnswerComplies, models.AnswerComplies, models.AnswerComplies, models.AnswerComplies,
		models.AnswerPartial, models.AnswerDoesNotComply, models.AnswerNotApplicable}
	verdictOf := map[string][]string{
		models.AnswerComplies:      {models.VerdictConfirmed, models.VerdictConfirmed, models.VerdictContradicted, models.VerdictInconclusive},
		models.AnswerPartial:       {models.VerdictConsistent, models.VerdictBetterThanDeclared},
		models.AnswerDoesNotComply: {models.VerdictConsistent},
		models.AnswerNotApplicable: {models.VerdictInconclusive},
	}
	total := y.Tenders + y.Previous
	for start := 0; start < total; start += 200 {
		end := min(start+200, total)
		tenders := make([]models.Tender, 0, end-start)
		for i := start; i < end; i++ {
			year := y.Year
			if i >= y.Tenders {
				year = y.Year - 1
			}
			pub := time.Date(year, time.Month(1+i%12), 1+i%28, 10, 0, 0, 0, time.UTC)
			tenders = append(tenders, models.Tender{BuyerOrgID: buyers[i%len(buyers)].ID, Title: fmt.Sprintf("Synthetic tender %d", i),
				Reference: fmt.Sprintf("SYN-%d-%04d", year, i), Status: models.StatusClosed, CatalogueVersionID: cv.ID, Revision: 1,
				PublishedAt: &pub, CreatedByID: officer.ID, EstimatedValueCents: 10_000_000, Currency: "EUR"})
		}
		must(insert(&tenders))
		var reqs []models.Requirement
		for k, t := range tenders {
			inYear := start+k < y.Tenders
			for _, j := range rng.Perm(len(stds))[:y.PerTender] {
				level := models.LevelMandatory
				if j%4 == 3 {
					level = models.LevelRecommended
				}
				reqs = append(reqs, models.Requirement{TenderID: t.ID, StandardID: stds[j].ID, Position: len(reqs) + 1, Level: level})
				if inYear {
					bump(counts.demanded, stds[j].Slug, level)
				}
			}
		}
		must(insert(&reqs))
		byTender := map[uint][]models.Requirement{}
		for _, r := range reqs {
			byTender[r.TenderID] = append(byTender[r.TenderID], r)
		}
		var atts []models.Attestation
		for k, t := range tenders {
			for v := 0; v < y.VendorsPerTender; v++ {
				sub := now
				atts = append(atts, models.Attestation{TenderID: t.ID, SupplierOrgID: suppliers[(start+k+v*7)%len(suppliers)].ID,
					Status: models.AttestationSubmitted, Version: 1, LockVersion: 1, ScopeLock: 1, SubmittedAt: &sub})
			}
		}
		must(insert(&atts))
		runs := make([]models.ProbeRun, len(atts))
		for i, a := range atts {
			fin := now
			runs[i] = models.ProbeRun{AttestationID: a.ID, Version: 1, Status: models.RunDone, Reason: models.RunReasonSubmitted, CreatedAt: now, FinishedAt: &fin}
		}
		must(insert(&runs))
		var answers []models.Answer
		var verdicts []string
		for i, a := range atts {
			inYear := start+i/y.VendorsPerTender < y.Tenders
			for _, r := range byTender[a.TenderID] {
				st := statuses[rng.IntN(len(statuses))]
				an := models.Answer{AttestationID: a.ID, Version: 1, RequirementID: r.ID, Status: st, ReviewStatus: models.ReviewPending, LockVersion: 1}
				if st != models.AnswerComplies {
					an.Explanation = fmt.Sprintf("Explanation %d: we plan to comply after the migration.", rng.IntN(40))
				}
				vs := verdictOf[st]
				verdict := vs[rng.IntN(len(vs))]
				if stds[r.StandardID-stds[0].ID].Checks == nil {
					verdict = models.VerdictAttestationOnly
				}
				answers = append(answers, an)
				verdicts = append(verdicts, verdict)
				if inYear {
					slug := stds[r.StandardID-stds[0].ID].Slug
					bump(counts.answers, slug, st)
					bump(counts.verdicts, slug, verdict)
					if an.Explanation != "" {
						counts.explanations++
						bump(counts.given, slug, an.Explanation)
					}
				}
			}
		}
		must(insert(&answers))
		runOf := map[uint]uint{}
		for _, r := range runs {
			runOf[r.AttestationID] = r.ID
		}
		vers := make([]models.Verification, len(answers))
		for i, an := range answers {
			vers[i] = models.Verification{RunID: runOf[an.AttestationID], AttestationID: an.AttestationID, AnswerID: an.ID,
				RequirementID: an.RequirementID, Status: verdicts[i], CheckedAt: now}
		}
		must(insert(&vers))
	}
	return counts
}

func TestAnnualQueriesMatchTheRows(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testAnnualQueries)
}

func testAnnualQueries(t *testing.T, db *gorm.DB) {
	want := buildSynthYear(t, db, synthYear{Year: 2025, Tenders: 60, Previous: 20, Standards: 12, PerTender: 5, VendorsPerTender: 3})
	r, err := LoadAnnualReport(context.Background(), db, 2025, nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("every tender of the year and none of the year before is listed", func(t *testing.T) {
		if len(r.Tenders) != 60 || !r.HasPrevious {
			t.Fatalf("%d tenders, previous year data %v", len(r.Tenders), r.HasPrevious)
		}
		if r.Submitted() != 180 || r.Verified != 180 {
			t.Fatalf("%d submitted, %d verified, want 180 and 180", r.Submitted(), r.Verified)
		}
	})

	t.Run("answers, verdicts and demand per standard equal the inserted rows", func(t *testing.T) {
		if len(r.Standards) != len(want.demanded) {
			t.Fatalf("%d standards in the report, %d demanded", len(r.Standards), len(want.demanded))
		}
		for _, s := range r.Standards {
			if fmt.Sprint(s.Answers) != fmt.Sprint(want.answers[s.Slug]) {
				t.Errorf("%s answers %v, want %v", s.Slug, s.Answers, want.answers[s.Slug])
			}
			if fmt.Sprint(s.Verdicts) != fmt.Sprint(want.verdicts[s.Slug]) {
				t.Errorf("%s verdicts %v, want %v", s.Slug, s.Verdicts, want.verdicts[s.Slug])
			}
			if s.DemandedMandatory != want.demanded[s.Slug][models.LevelMandatory] || s.DemandedRecommended != want.demanded[s.Slug][models.LevelRecommended] {
				t.Errorf("%s demanded %d/%d, want %v", s.Slug, s.DemandedMandatory, s.DemandedRecommended, want.demanded[s.Slug])
			}
		}
		if r.ExplainedAnswers() != want.explanations {
			t.Errorf("%d explained answers, want %d", r.ExplainedAnswers(), want.explanations)
		}
		for _, e := range r.Explained {
			if e.Answers == 0 || e.Texts != len(want.given[e.Slug]) {
				t.Errorf("%s: %d explained answers in %d texts, want %d texts", e.Slug, e.Answers, e.Texts, len(want.given[e.Slug]))
			}
		}
	})

	t.Run("per standard the texts given most often are listed, each with its first places and its count", func(t *testing.T) {
		texts := map[string]map[string]int{}
		prev := map[string]int{}
		for i, e := range r.Explanations {
			if e.Given != want.given[e.Slug][e.Explanation] {
				t.Fatalf("%s %q given %d times, want %d", e.Slug, e.Explanation, e.Given, want.given[e.Slug][e.Explanation])
			}
			if texts[e.Slug] == nil {
				texts[e.Slug] = map[string]int{}
			}
			texts[e.Slug][e.Explanation]++
			if i > 0 && r.Explanations[i-1].Slug == e.Slug && prev[e.Slug] < e.Given {
				t.Fatalf("%s: %q (%d) comes after a text given less often (%d)", e.Slug, e.Explanation, e.Given, prev[e.Slug])
			}
			prev[e.Slug] = e.Given
		}
		for slug, given := range want.given {
			if len(texts[slug]) != min(AnnualTexts, len(given)) {
				t.Errorf("%s: %d texts listed of %d", slug, len(texts[slug]), len(given))
			}
			// No text left out was given more often than one listed.
			least := -1
			for text := range texts[slug] {
				if n := given[text]; least < 0 || n < least {
					least = n
				}
			}
			for text, n := range given {
				if _, listed := texts[slug][text]; !listed && n > least {
					t.Errorf("%s: %q given %d times is left out, one given %d times is listed", slug, text, n, least)
				}
			}
			for text, places := range texts[slug] {
				if places != min(AnnualPlaces, given[text]) {
					t.Errorf("%s %q: %d places listed, want %d", slug, text, places, min(AnnualPlaces, given[text]))
				}
			}
		}
	})

	t.Run("reading the answers in parts gives what one pass gives", func(t *testing.T) {
		f := models.AnnualFilter{Year: 2025, Details: true, ExplanationTexts: AnnualTexts, ExplanationPlaces: AnnualPlaces, Parts: 1}
		one, err := models.LoadAnnualReport(context.Background(), db, f)
		if err != nil {
			t.Fatal(err)
		}
		f.Parts = 3
		three, err := models.LoadAnnualReport(context.Background(), db, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(one.Explanations) == 0 || !reflect.DeepEqual(one, three) {
			t.Errorf("in 3 parts the year differs from one pass:\n%+v\n%+v", one.Explained, three.Explained)
		}
	})

	t.Run("the explanations CSV lists every explained answer", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteAnnualExplanationsCSV(context.Background(), db, &buf, 2025, nil, "en"); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]map[string]int{}
		for _, row := range rows[1:] {
			bump(got, row[1], row[8])
		}
		if len(rows)-1 != want.explanations || fmt.Sprint(got) != fmt.Sprint(want.given) {
			t.Errorf("%d rows, want %d; by text %v, want %v", len(rows)-1, want.explanations, got, want.given)
		}
	})

	t.Run("each explanation names its tender, supplier and standard", func(t *testing.T) {
		refs := map[uint]string{}
		for _, tn := range r.Tenders {
			refs[tn.ID] = tn.Reference
		}
		for _, e := range r.Explanations {
			if ref, ok := refs[e.TenderID]; !ok || ref != e.TenderReference || e.Supplier == "" || e.Standard == "" || e.Explanation == "" {
				t.Fatalf("explanation %+v does not match tender %d (%q)", e, e.TenderID, ref)
			}
		}
		for _, tn := range r.Tenders {
			if tn.Requirements != 5 || tn.Attestations != 3 || tn.Submitted != 3 || tn.Mandatory > tn.Requirements || tn.Buyer == "" {
				t.Fatalf("tender %+v: want 5 requirements, 3 attestations, all submitted", tn)
			}
		}
	})
}
