package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/probe/check"
	"tenderprobe/app/verify"
	"tenderprobe/models"
)

// The demo history: every tender of a second demo buyer in the last full
// year and, for the comparison in the annual report, a smaller number in
// the year before, all published, answered, submitted, verified and
// closed. A buyer and suppliers of its own keep the history out of the
// demo officer's and vendors' current work.
const (
	DemoHistoryBuyer   = "Demostad Water Board"
	DemoHistoryOfficer = "water.officer@demo.test"

	demoYearTenders     = 12 // one a month
	demoPreviousTenders = 6
	demoRunOwner        = "demo-history"
)

// demoVendor is a supplier of the demo history: who answers for it, the
// domains its offers cover and which probe checks its systems fail in the
// last full year; the year before they fail those and PreviousFails too.
type demoVendor struct {
	Supplier      string
	Email         string
	Name          string
	Web, Mail     string
	Fails         []check.ID
	PreviousFails []check.ID
}

var demoVendors = []demoVendor{
	{"Brightwater Hosting Ltd", "sam@brightwater.example", "Sam O'Brien", "www.brightwater.example", "brightwater.example",
		[]check.ID{check.WebTLSPQ, check.WebCAA, check.WebDANE, check.MailDANE, check.WebRPKI}, []check.ID{check.WebHSTS, check.WebSecurityTxt}},
	{"Kestrel Mail GmbH", "jurgen@kestrel-mail.example", "Jürgen Weiß", "www.kestrel-mail.example", "kestrel-mail.example",
		[]check.ID{check.MailMTASTS, check.MailTLSRPT, check.WebSecurityHeaders}, []check.ID{check.MailDMARC, check.MailDANE}},
	{"Ångström Hosting AB", "zoe@angstrom-hosting.example", "Zoë Ångström", "www.angstrom-hosting.example", "angstrom-hosting.example",
		[]check.ID{check.WebIPv6, check.MailIPv6, check.NSIPv6, check.WebTLSPQ}, []check.ID{check.WebDNSSEC, check.MailDNSSEC}},
	{"Łódź Cloud Sp. z o.o.", "pawel@lodz-cloud.example", "Paweł Żółw", "www.lodz-cloud.example", "lodz-cloud.example",
		[]check.ID{check.MailDMARC, check.WebHSTS, check.NSRPKI, check.MailRPKI}, []check.ID{check.MailSTARTTLS, check.WebHTTPSRedirect}},
}

// demoServices are the subjects of the history's tenders, with the profile
// each applies.
var demoServices = []struct{ title, profile string }{
	{"Website hosting for %s", "website-hosting"},
	{"E-mail and calendars for %s", "email-service"},
	{"Case management software for %s", "cloud-saas"},
	{"Internet connectivity for %s", "network-connectivity"},
}

var demoDepartments = []string{"the library", "the harbour office", "social services", "the archive", "the museum",
	"the schools", "parking permits", "the fire brigade", "the city theatre", "waste collection", "the zoo", "the swimming pools"}

// demoExplanations are what the vendors write when they do not (fully)
// comply, by standard; other standards get the generic ones.
var demoExplanations = map[string][]string{
	"dnssec": {"Our registrar cannot publish DS records for this TLD yet; we move the zones to a registrar that can.",
		"The zones are signed but the parent has no DS record yet; the key roll-over finishes next quarter."},
	"ipv6":             {"Our upstream provider offers IPv6 only in one of our two data centres; dual stack follows the network refresh."},
	"rpki":             {"ROAs exist for our IPv4 prefixes; the IPv6 prefixes are still registered to our former provider."},
	"dane":             {"DANE needs DNSSEC on the customer's zone, which we do not manage."},
	"hsts":             {"Two legacy subdomains still serve plain HTTP; HSTS with includeSubDomains follows their migration."},
	"dmarc":            {"DMARC is at p=none while we collect reports; we move to quarantine after two clean months."},
	"mta-sts":          {"MTA-STS is planned together with the new certificate automation."},
	"tls-rpt":          {"We read TLS failures from our own logs and have not published a TLS-RPT address yet."},
	"pq-key-exchange":  {"Our load balancers do not support hybrid key exchange yet; the vendor promises it in the next major release."},
	"security-headers": {"The content management system sets its own headers; a Content-Security-Policy breaks its editor."},
	"csp":              {"The content management system's editor needs inline scripts; a strict policy follows the upgrade."},
	"caa":              {"We use two certificate authorities and have not restricted issuance to them yet."},
	"iso-27001":        {"We follow ISO/IEC 27001 but are not certified; the certification audit is scheduled.", "Our data centre partner is certified; our own organisation is not in scope."},
	"webauthn":         {"Staff log in with TOTP codes; passkeys are on the roadmap."},
	"starttls":         {"STARTTLS is offered on all inbound servers except the legacy relay, which is being retired."},
}

var genericExplanations = []string{
	"We meet the intent of this requirement with our own controls, documented in the attached policy.",
	"This is on our roadmap; we will report progress in the quarterly service review.",
}

// demoYear adds the demo history of the last full year (and the year
// before) for the annual report. Like Demo it does nothing when the
// history is already there.
func demoYear(ctx context.Context, db *gorm.DB) error {
	year := time.Now().UTC().Year() - 1
	buyer, err := findOrCreateOrg(ctx, db, DemoHistoryBuyer, models.OrgBuyer)
	if err != nil {
		return err
	}
	officer, err := findOrCreateUser(ctx, db, DemoHistoryOfficer, "Wim Waterschap", DemoPassword, models.RoleOfficer, &buyer.ID)
	if err != nil {
		return err
	}
	if _, err := models.FindTenderByReference(ctx, db, *officer.OrgID, demoReference(year, 1)); err == nil {
		return nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	h := &demoHistory{ctx: ctx, db: db, officer: officer, verify: true}
	for _, y := range []struct{ year, tenders int }{{year - 1, demoPreviousTenders}, {year, demoYearTenders}} {
		for i := 1; i <= y.tenders; i++ {
			if err := h.tender(y.year, i, y.tenders); err != nil {
				return fmt.Errorf("seed: demo history %s: %w", demoReference(y.year, i), err)
			}
		}
	}
	return nil
}

func demoReference(year, i int) string { return fmt.Sprintf("DSC-%d-H%02d", year, i) }

// demoHistory carries what every tender of the history needs.
type demoHistory struct {
	ctx     context.Context
	db      *gorm.DB
	officer *models.User
	// verify stays true while the queue holds only the history's own
	// runs; a waiting run of real data stops the demo from finishing runs.
	verify bool
}

// tender publishes tender i of n in year, lets two or three vendors answer
// and submit, finishes their probe runs and closes the tender.
func (h *demoHistory) tender(year, i, n int) error {
	rng := rand.New(rand.NewPCG(uint64(year), uint64(i)))
	published := time.Date(year, time.Month(1+(i-1)*12/n), 3+rng.IntN(20), 9+rng.IntN(6), 0, 0, 0, time.UTC)
	deadline := published.AddDate(0, 0, 35)
	svc := demoServices[(i-1)%len(demoServices)]
	dept := demoDepartments[(i-1+year)%len(demoDepartments)]
	t, err := models.CreateTender(h.ctx, h.db, h.officer, models.TenderInput{
		Title: fmt.Sprintf(svc.title, dept), Reference: demoReference(year, i),
		Description:         "Part of the demo history: published, answered, verified and closed, so that the annual report has data.",
		EstimatedValueCents: int64(40_000+rng.IntN(400_000)) * 100, Currency: "EUR", Deadline: &deadline,
		ScopeTags: []string{svc.profile},
	}, time.Now())
	if err != nil {
		return err
	}
	p, err := FindProfile(svc.profile)
	if err != nil {
		return err
	}
	if _, err := models.ApplyProfile(h.ctx, h.db, h.officer, t.ID, demoSheet(p), time.Now()); err != nil {
		return err
	}
	// Published at its moment in the history: today its deadline has
	// passed, and a tender is not published after its deadline.
	if _, err := models.PublishTender(h.ctx, h.db, h.officer, t.ID, published); err != nil {
		return err
	}
	if err := models.RecordPublication(h.ctx, h.db, t.ID, published); err != nil {
		return err
	}
	if t, err = models.FindTender(h.ctx, h.db, t.ID); err != nil {
		return err
	}
	vendors := 2 + rng.IntN(2)
	first := rng.IntN(len(demoVendors))
	for k := 0; k < vendors; k++ {
		v := demoVendors[(first+k)%len(demoVendors)]
		answeredAt := published.Add(time.Duration(2+rng.IntN(25)) * 24 * time.Hour)
		if err := h.attest(t, v, year, published, answeredAt, rng); err != nil {
			return fmt.Errorf("%s: %w", v.Supplier, err)
		}
	}
	_, err = models.SetTenderStatus(h.ctx, h.db, h.officer, t.ID, models.StatusClosed, time.Now())
	return err
}

// attest has vendor v answer tender t: honest where the checks agree with
// the answer, sometimes claiming compliance its systems do not have, so
// the probes find contradictions.
func (h *demoHistory) attest(t *models.Tender, v demoVendor, year int, invited, now time.Time, rng *rand.Rand) error {
	inv, _, err := models.Invite(h.ctx, h.db, h.officer, t.ID, models.InviteInput{Email: v.Email, Supplier: v.Supplier, Name: v.Name}, 14*24*time.Hour, invited)
	if err != nil {
		return err
	}
	vendor, err := models.FindUserByEmail(h.ctx, h.db, v.Email)
	if err != nil {
		return err
	}
	if _, err := models.SetScope(h.ctx, h.db, vendor, inv.AttestationID, []string{v.Web}, []string{v.Mail}, nil, now); err != nil {
		return err
	}
	fails := map[check.ID]bool{}
	for _, c := range v.Fails {
		fails[c] = true
	}
	if year < time.Now().UTC().Year()-1 {
		for _, c := range v.PreviousFails {
			fails[c] = true
		}
	}
	for _, r := range t.Requirements {
		in := demoAnswer(r.Standard, fails, now, rng)
		if _, err := models.SaveAnswer(h.ctx, h.db, vendor, inv.AttestationID, r.ID, in, now); err != nil {
			return err
		}
	}
	if _, err := models.Submit(h.ctx, h.db, vendor, inv.AttestationID, models.SubmitInput{Declaration: true, Declarer: v.Name}, now); err != nil {
		return err
	}
	if !h.verify {
		return nil
	}
	return h.finishRun(inv.AttestationID, t, v, fails, now.Add(6*time.Hour))
}

// demoAnswer picks the vendor's answer to a requirement on standard s.
func demoAnswer(s *models.Standard, fails map[check.ID]bool, now time.Time, rng *rand.Rand) models.AnswerInput {
	ok := true
	for _, c := range s.Checks {
		if fails[c] {
			ok = false
		}
	}
	comply := rng.Float64() < 0.8
	switch {
	case len(s.Checks) > 0 && ok:
		comply = rng.Float64() < 0.95
	case len(s.Checks) > 0:
		// Two in five vendors claim compliance the probes then contradict.
		comply = rng.Float64() < 0.4
	}
	if comply {
		return models.AnswerInput{Status: models.AnswerComplies}
	}
	texts := demoExplanations[s.Slug]
	if len(texts) == 0 {
		texts = genericExplanations
	}
	in := models.AnswerInput{Explanation: texts[rng.IntN(len(texts))]}
	switch x := rng.Float64(); {
	case x < 0.55:
		in.Status = models.AnswerPartial
	case x < 0.9 || len(s.Checks) > 0:
		in.Status = models.AnswerDoesNotComply
	default:
		in.Status = models.AnswerNotApplicable
		in.Explanation = "The service does not include this part; the buyer keeps running it."
	}
	if in.Status != models.AnswerNotApplicable {
		in.PlannedDate = now.AddDate(0, 3+rng.IntN(9), 0).Format("2006-01-02")
	}
	return in
}

// finishRun plays the verification worker for the run Submit queued:
// results for the vendor's two domains (labelled as demo data, since
// nothing was measured) and the verdicts app/verify derives from them.
func (h *demoHistory) finishRun(attID uint, t *models.Tender, v demoVendor, fails map[check.ID]bool, now time.Time) error {
	run, err := models.ClaimRun(h.ctx, h.db, demoRunOwner, time.Hour, now)
	if err != nil {
		return err
	}
	if run == nil {
		return fmt.Errorf("the probe run of attestation %d is not queued", attID)
	}
	if run.AttestationID != attID {
		// Real data is waiting: hand it back to the workers and leave
		// the rest of the history unverified rather than touch it.
		h.verify = false
		return models.ReleaseRun(h.ctx, h.db, run.ID, demoRunOwner, time.Now())
	}
	findings := map[check.ID]check.Status{}
	for _, r := range t.Requirements {
		for _, id := range r.Standard.Checks {
			findings[id] = check.Pass
			if fails[id] {
				findings[id] = check.Fail
			}
		}
	}
	return demoVerify(h.ctx, h.db, run, []string{v.Web}, []string{v.Mail}, findings, now)
}

// demoVerify plays the verification worker for a claimed run: results for
// the scope's domains with the given status per check id (labelled as demo
// data, since nothing was measured) and the verdicts app/verify derives
// from them.
func demoVerify(ctx context.Context, db *gorm.DB, run *models.ProbeRun, web, mail []string, findings map[check.ID]check.Status, now time.Time) error {
	ids := make([]check.ID, 0, len(findings))
	for c := range findings {
		ids = append(ids, c)
	}
	slices.SortFunc(ids, check.Compare)
	// One result per domain, as the worker stores them, holding the checks
	// that apply to the domain by the verifier's own rule.
	scope := verify.Scope{Web: web, Mail: mail}
	var domains []string
	for _, d := range append(append([]string{}, web...), mail...) {
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	if err := models.SetRunTotal(ctx, db, run.ID, demoRunOwner, len(domains), now); err != nil {
		return err
	}
	for _, d := range domains {
		res := &models.ProbeResult{RunID: run.ID, Domain: d, DurationMS: 1200}
		for _, id := range ids {
			if !slices.Contains(scope.DomainsFor(id), d) {
				continue
			}
			finding, code := "meets the requirement", "demo_meets"
			if findings[id] == check.Fail {
				finding, code = "does not meet the requirement", "demo_fails"
			}
			res.Checks = append(res.Checks, models.ProbeCheck{ID: id, Status: findings[id], Standard: id.Standard(),
				Summary: "Demo data, not measured: " + finding + ".", Finding: code})
		}
		if err := models.StoreResult(ctx, db, demoRunOwner, res, now); err != nil {
			return err
		}
	}
	subject, err := models.RunSubject(ctx, db, run)
	if err != nil {
		return err
	}
	results, err := models.RunResults(ctx, db, run.ID)
	if err != nil {
		return err
	}
	_, err = models.FinishRun(ctx, db, run, demoRunOwner, verify.Attestation(subject, verify.ResultsOf(results)), now)
	return err
}

// demoSheet keeps a profile's first five mandatory and first two
// recommended standards: enough for varied answers, small enough that the
// demo data (loaded by many tests) stays quick to create.
func demoSheet(p models.Profile) models.Profile {
	var items []models.ProfileItem
	mandatory, recommended := 0, 0
	for _, it := range p.Items {
		switch {
		case it.Level == models.LevelMandatory && mandatory < 5:
			mandatory++
		case it.Level == models.LevelRecommended && recommended < 2:
			recommended++
		default:
			continue
		}
		items = append(items, it)
	}
	p.Items = items
	return p
}
