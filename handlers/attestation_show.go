package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/models"
)

// answerView is one answer on the attestation page with what the viewer
// may do with it. Form holds the values the fields show (what the vendor
// typed, after a refused save) and Errors the message of each refused field.
type answerView struct {
	models.Answer
	Thread     []models.ReviewComment
	Form       map[string]string
	Errors     map[string]string
	CanReview  bool
	CanReply   bool
	StatusText string
	Position   int
	// Planned is the planned date in the reader's words.
	Planned string
}

// StandardName is the name of the answer's standard, for headings and the
// error summary.
func (v answerView) StandardName(lang string) string {
	if v.Requirement != nil && v.Requirement.Standard != nil {
		return v.Requirement.Standard.In(lang).Name
	}
	return ""
}

// domainGroup is one of the catalogue's four domains with the answers of
// its requirements, in sheet order.
type domainGroup struct {
	Slug, Name string
	Answers    []answerView
}

// progress is the answer page's count of what is done and what is left;
// Next is the first unanswered requirement in page order (0: none).
type progress struct {
	Answered, ToGo, NeedsEvidence, Total int
	Next                                 uint
}

// groupByDomain orders views by the catalogue's domains, keeping the
// sheet's order inside each; a standard of an unknown domain comes last.
func groupByDomain(views []answerView) []domainGroup {
	var groups []domainGroup
	index := map[string]int{}
	for _, d := range models.Domains {
		index[d] = len(groups)
		groups = append(groups, domainGroup{Slug: d, Name: models.DomainName(d)})
	}
	for _, v := range views {
		d := ""
		if v.Requirement != nil && v.Requirement.Standard != nil {
			d = v.Requirement.Standard.Domain
		}
		i, ok := index[d]
		if !ok {
			index[d] = len(groups)
			i = len(groups)
			groups = append(groups, domainGroup{Slug: d, Name: models.DomainName(d)})
		}
		groups[i].Answers = append(groups[i].Answers, v)
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Answers) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// progressOf counts the answers as the page shows them, grouped; an
// answer chosen on a refused page counts as answered, as the page's
// script counts it while the vendor works.
func progressOf(groups []domainGroup) progress {
	var p progress
	for _, g := range groups {
		for _, v := range g.Answers {
			p.Total++
			// The page's choices count, as the script counts them: after a
			// refused save they are what the vendor typed, and a refused
			// answer is still to go (it is not saved, and Completeness
			// does not count it).
			switch {
			case v.Form["status"] == "" || len(v.Errors) > 0:
				p.ToGo++
				if p.Next == 0 {
					p.Next = v.RequirementID
				}
			default:
				p.Answered++
			}
			if v.NeedsEvidence() {
				p.NeedsEvidence++
			}
		}
	}
	return p
}

// ShowAttestation shows an attestation: to its vendor the forms to answer,
// scope and submit while it is a draft; to everyone allowed the answers,
// evidence, receipts, versions and review threads.
func (h *Handler) ShowAttestation(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	return h.renderAttestation(c, fiber.StatusOK, a, fiber.Map{})
}

// renderAttestation renders the attestation page; data may carry a failed
// form (AnswerFor, AnswerForm, AnswerErrors), scope or submit errors.
func (h *Handler) renderAttestation(c *fiber.Ctx, status int, a *models.Attestation, data fiber.Map) error {
	ctx := c.UserContext()
	u, now := currentUser(c), h.now()
	threads, err := models.ListReviewComments(ctx, h.DB, a.ID)
	if err != nil {
		return err
	}
	editable, reviewable := a.EditableBy(u, now) == nil, a.ReviewableBy(u) == nil
	forms, _ := data["AnswerForms"].(map[uint]map[string]string)
	errs, _ := data["AnswerErrors"].(map[uint]map[string]string)
	if rid, ok := data["AnswerFor"].(uint); ok {
		// One answer's form (review, reply, amend): its fields and errors.
		if f, ok := data["AnswerForm"].(map[string]string); ok {
			forms = map[uint]map[string]string{rid: f}
		}
		if e, ok := data["AnswerErrors"].(map[string]string); ok {
			errs = map[uint]map[string]string{rid: e}
		}
	}
	lang := localeOf(c).Lang
	words := statusWords(lang)
	views := make([]answerView, len(a.Answers))
	for i, an := range a.Answers {
		v := answerView{Answer: an, Thread: threads[an.RequirementID], StatusText: words[an.Status], Planned: plannedDateIn(lang, an.PlannedDate),
			CanReview: reviewable,
			CanReply:  a.ClarifiableBy(u, &an) == nil,
			Form:      map[string]string{"status": an.Status, "explanation": an.Explanation, "planned_date": an.PlannedDate},
			Errors:    errs[an.RequirementID],
		}
		if an.Requirement != nil {
			v.Position = an.Requirement.Position
		}
		if f, ok := forms[an.RequirementID]; ok && v.Errors != nil {
			v.Form = f
		}
		views[i] = v
	}
	groups := groupByDomain(views)
	data["Attestation"], data["Answers"], data["Groups"], data["Editable"] = a, views, groups, editable
	data["Progress"] = progressOf(groups)
	data["AutosaveText"] = map[string]string{
		"saving": tr(c, "answer.autosave_saving", nil), "saved": tr(c, "answer.autosave_saved", nil),
		"not_saved": tr(c, "answer.autosave_not_saved", nil), "offline": tr(c, "answer.autosave_offline", nil),
		"unanswered": tr(c, "answer.autosave_unanswered", nil),
		"too_large":  tr(c, "answer.files_too_large", map[string]any{"max": attest.MaxEvidenceSize >> 20}),
		"restored":   tr(c, "answer.autosave_restored", nil),
		"draft":      tr(c, "answer.autosave_draft", nil),
		"session":    tr(c, "answer.autosave_session_ended", nil),
		"login":      tr(c, "page.log_in_again", nil),
	}
	data["UploadLimit"] = UploadBodyLimit - 64<<10
	data["FileMB"] = attest.MaxEvidenceSize >> 20
	if summary := errorSummary(localeOf(c).Lang, views, data); len(summary) > 0 {
		data["ErrorSummary"] = summary
	}
	data["Completeness"] = a.Completeness()
	// The review matrix is the tender's managers' page, submitted or not.
	data["CanReview"] = a.Tender.ManageableBy(u) == nil
	data["CanReopen"] = a.ReopenableBy(u, now) == nil
	data["DeadlinePassed"] = a.DeadlinePassed(now)
	data["DeadlineSoon"] = !a.Submitted() && a.Tender.Deadline != nil && !a.DeadlinePassed(now) && a.Tender.Deadline.Sub(now) <= h.reminderWindow()
	data["Web"], data["Mail"] = a.ScopeNames(models.ScopeWeb), a.ScopeNames(models.ScopeMail)
	data["Management"] = a.ScopeNames(models.ScopeManagement)
	if _, ok := data["ScopeWeb"]; !ok {
		data["ScopeWeb"], data["ScopeMail"] = joinLines(a.ScopeNames(models.ScopeWeb)), joinLines(a.ScopeNames(models.ScopeMail))
	}
	if _, ok := data["ScopeManagement"]; !ok {
		data["ScopeManagement"] = joinLines(a.ScopeNames(models.ScopeManagement))
	}
	data["Statuses"] = models.AnswerStatuses
	data["StatusTexts"] = words
	data["Today"] = now.UTC().Format("2006-01-02")
	data["Receipt"] = a.Receipt()
	if err := h.addAttestationVerdicts(c, a, data); err != nil {
		return err
	}
	if err := h.addSelfCheck(c, a, data); err != nil {
		return err
	}
	if err := h.addSuggestions(c, a, data); err != nil {
		return err
	}
	data["MaxDomains"] = models.MaxScopeDomains
	if a.Version > 1 {
		changes, err := models.VersionChanges(ctx, h.DB, a.ID, a.Version)
		if err != nil {
			return err
		}
		data["Changes"] = changeViews(lang, changes, requirementNames(lang, a))
	}
	if _, ok := data["Flash"]; !ok {
		data["Flash"] = attestFlash(c)
	}
	title := "title.attestation"
	if a.Tender != nil {
		title = a.Tender.Title
	}
	return h.render(c, status, "attestations/show", title, data)
}

func joinLines(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += "\n"
		}
		out += n
	}
	return out
}

// ShowAttestationVersion shows an earlier (or the current) version
// read-only, with what changed from the version before it.
func (h *Handler) ShowAttestationVersion(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	v, err := paramID(c, "version")
	if err != nil {
		return err
	}
	version := int(v)
	if err := models.LoadVersion(c.UserContext(), h.DB, a, version); err != nil {
		return err
	}
	changes, err := models.VersionChanges(c.UserContext(), h.DB, a.ID, version)
	if err != nil {
		return err
	}
	var sub *models.Submission
	for i := range a.Submissions {
		if a.Submissions[i].Version == version {
			sub = &a.Submissions[i]
		}
	}
	lang := localeOf(c).Lang
	words := statusWords(lang)
	views := make([]answerView, len(a.Answers))
	for i, an := range a.Answers {
		views[i] = answerView{Answer: an, StatusText: words[an.Status], Planned: plannedDateIn(lang, an.PlannedDate)}
	}
	title := tr(c, "title.version", map[string]any{"version": version})
	if a.Tender != nil {
		title = tr(c, "title.version_of", map[string]any{"title": a.Tender.Title, "version": version})
	}
	return h.render(c, fiber.StatusOK, "attestations/version", title, fiber.Map{
		"Attestation": a, "Version": version, "Answers": views, "Changes": changeViews(lang, changes, requirementNames(lang, a)), "Submission": sub,
		"Web": a.ScopeNames(models.ScopeWeb), "Mail": a.ScopeNames(models.ScopeMail), "Management": a.ScopeNames(models.ScopeManagement),
	})
}

// deadlineIn says in lang how long until deadline, for reminders.
func deadlineIn(lang string, deadline, now time.Time) string {
	d := deadline.Sub(now)
	switch {
	case d < time.Hour:
		return messageIn(lang, "attestation.due_in.less_than_hour", nil)
	case d < 48*time.Hour:
		return messageIn(lang, "attestation.due_in.hours", map[string]any{"count": int(d.Hours())})
	}
	return messageIn(lang, "attestation.due_in.days", map[string]any{"count": int(d.Hours() / 24)})
}

// APIShowAttestation is GET /api/v1/attestations/{id}.
func (h *Handler) APIShowAttestation(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	out := attestationOf(a, true)
	verdicts, err := h.answerVerifications(c, a)
	if err != nil {
		return err
	}
	for i := range out.Answers {
		out.Answers[i].Verification = verdicts[i]
	}
	return c.JSON(out)
}

// plannedDateIn writes a planned date (2026-12-31) as lang writes dates;
// a value that is not a date is shown as it is.
func plannedDateIn(lang, date string) string {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return date
	}
	return messages.Date(lang, d)
}
