package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/library"
	"tenderprobe/models"
)

// suggestionView is one suggestion on the attestation page: the earlier
// answer in the reader's words, where it comes from, what changed in the
// clause since, and whether the vendor's answer is filled already.
type suggestionView struct {
	models.Suggestion
	// FromTitle names the tender of an earlier answer.
	FromTitle  string
	StatusText string
	Planned    string
	ValidTill  string
	// ClauseChanged says the earlier requirement's clause differs from
	// this one's; Diff is the comparison word by word. OtherLanguage is
	// set (to the earlier tender's language) when the clauses are in
	// different languages and so are not compared.
	ClauseChanged bool
	Diff          []library.Segment
	OtherLanguage string
	// Answered: the vendor's answer has a status, so reuse replaces it
	// (only when asked); Same: it says what the suggestion says.
	Answered, Same bool
	// Web, Mail and Management list the earlier scope's names.
	Web, Mail, Management string
}

// clauseComparison compares the clause the earlier answer was given to
// with requirement r's: whether it changed, the word diff, and the
// earlier tender's language when the two are in different languages.
func clauseComparison(s *models.Suggestion, r *models.Requirement, lang string) (changed bool, diff []library.Segment, other string) {
	if s.Source != models.SourceAttestation || s.FromRequirement == nil || r == nil {
		return false, nil, ""
	}
	earlierLang := lang
	if s.FromTender != nil && s.FromTender.Language != "" {
		earlierLang = s.FromTender.Language
	}
	if earlierLang != lang {
		return true, nil, earlierLang
	}
	before, after := s.FromRequirement.ClauseIn(earlierLang), r.ClauseIn(lang)
	if !library.Changed(before, after) {
		return false, nil, ""
	}
	return true, library.ClauseDiff(before, after), ""
}

// suggestionViews returns a's suggestions for the current vendor, by
// requirement, ready for the page, and how many are for unanswered ones.
func (h *Handler) suggestionViews(c *fiber.Ctx, a *models.Attestation) (map[uint]*suggestionView, int, error) {
	sgs, err := models.Suggestions(c.UserContext(), h.DB, currentUser(c), a, h.now())
	if err != nil {
		return nil, 0, err
	}
	lang := localeOf(c).Lang
	words := statusWords(lang)
	answers := map[uint]*models.Answer{}
	for i := range a.Answers {
		answers[a.Answers[i].RequirementID] = &a.Answers[i]
	}
	out := make(map[uint]*suggestionView, len(sgs))
	open := 0
	for _, s := range sgs {
		an := answers[s.RequirementID]
		if an == nil {
			continue
		}
		v := suggestionView{Suggestion: s, StatusText: words[s.Status], Planned: plannedDateIn(lang, s.PlannedDate), ValidTill: plannedDateIn(lang, s.ValidUntil),
			Answered: an.Answered(), Same: s.SameAs(an),
			Web: strings.Join(s.DomainNames(models.ScopeWeb), ", "), Mail: strings.Join(s.DomainNames(models.ScopeMail), ", "),
			Management: strings.Join(s.DomainNames(models.ScopeManagement), ", ")}
		if t := s.FromTender; t != nil {
			v.FromTitle = t.Title
			if t.Reference != "" {
				v.FromTitle = t.Reference + " · " + t.Title
			}
		}
		v.ClauseChanged, v.Diff, v.OtherLanguage = clauseComparison(&s, an.Requirement, a.Tender.Language)
		if !v.Answered {
			open++
		}
		out[s.RequirementID] = &v
	}
	return out, open, nil
}

// addSuggestions puts the answer library's suggestions on the attestation
// page of a vendor who may edit it (nobody else sees them: they come from
// the supplier's other tenders).
func (h *Handler) addSuggestions(c *fiber.Ctx, a *models.Attestation, data fiber.Map) error {
	if a.EditableBy(currentUser(c), h.now()) != nil {
		return nil
	}
	views, open, err := h.suggestionViews(c, a)
	if err != nil {
		return err
	}
	data["Suggestions"], data["SuggestOpen"] = views, open
	return nil
}

// libraryRefusal turns a refused reuse into the answer library's words.
func libraryRefusal(err error) error {
	if errors.Is(err, models.ErrNoSuggestion) {
		return refuse(fiber.StatusNotFound, "library.no_suggestion")
	}
	return err
}

// reuseFromPage is the answer page's part of a reuse: the page's one form
// was sent with the button "Use this answer" (reuse=<requirement>),
// "Replace my answer" (reuse_replace=<requirement>) or "Use all suggested
// answers" (reuse=all), after every typed answer was saved. It reports the
// confirmation to show, or marks the answer's refusal in res.
func (h *Handler) reuseFromPage(c *fiber.Ctx, a *models.Attestation, form pageForm, res *pageResult) (string, error) {
	value, replace := form.get("reuse"), false
	if v := form.get("reuse_replace"); v != "" {
		value, replace = v, true
	}
	if value == "" || len(res.errors) > 0 {
		// A page with refused answers comes back as typed first: a reuse
		// must not fill in behind what the vendor is still correcting.
		return "", nil
	}
	ctx, u, now := c.UserContext(), currentUser(c), h.now()
	if value == "all" && !replace {
		done, err := models.ReuseAll(ctx, h.DB, u, a.ID, now)
		if err != nil {
			return "", err
		}
		form.values["at"] = []string{"answers"}
		return reuseFlash(done, true), nil
	}
	rid, err := strconv.ParseUint(value, 10, 32)
	if err != nil || rid == 0 {
		return "", refuse(fiber.StatusNotFound, "page.not_found")
	}
	form.values["at"] = []string{fmt.Sprintf("answer-%d", rid)}
	done, err := models.Reuse(ctx, h.DB, u, a.ID, uint(rid), replace, now)
	if err = libraryRefusal(err); err != nil {
		var r *refusal
		if errors.As(err, &r) || errors.Is(err, models.ErrAlreadyAnswered) {
			res.mark(uint(rid), "form", problemOf(err).fieldText(localeOf(c).Lang))
			return "", nil
		}
		return "", err
	}
	return reuseFlash(done, false), nil
}

// reuseFlash is the confirmation key (flash.<key>) of a reuse.
func reuseFlash(r *models.Reused, all bool) string {
	switch {
	case all && len(r.Suggestions) == 0:
		return "library_reused_none"
	case all:
		return "library_reused_all"
	case r.ScopeFilled:
		return "library_reused_scope"
	case r.DateDropped:
		return "library_reused_no_date"
	}
	return "library_reused"
}

// suggestionJSON is one suggestion as the API shows it. from_attestation
// is 0 for a standing answer.
type suggestionJSON struct {
	RequirementID    uint                       `json:"requirement_id"`
	Standard         string                     `json:"standard"`
	FromAttestation  uint                       `json:"from_attestation"`
	Status           string                     `json:"status"`
	Explanation      string                     `json:"explanation"`
	Evidence         []models.SuggestedEvidence `json:"evidence"`
	Source           string                     `json:"source"`
	PlannedDate      string                     `json:"planned_date"`
	Domains          []models.ScopeDomain       `json:"domains"`
	ClauseChanged    bool                       `json:"clause_changed"`
	FromTender       *fromTenderJSON            `json:"from_tender"`
	FromVersion      int                        `json:"from_version,omitempty"`
	SubmittedAt      *time.Time                 `json:"submitted_at,omitempty"`
	StandingAnswerID uint                       `json:"standing_answer_id,omitempty"`
	ValidUntil       string                     `json:"valid_until,omitempty"`
}

// fromTenderJSON names the tender an earlier answer was given in.
type fromTenderJSON struct {
	ID        uint   `json:"id"`
	Title     string `json:"title"`
	Reference string `json:"reference"`
}

// APISuggestions is GET /api/v1/attestations/{id}/suggestions: for a
// vendor of the attestation's supplier, the earlier answer offered for
// each requirement (404 for anyone who cannot see the attestation, 403
// for the buyer's people and other roles).
func (h *Handler) APISuggestions(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	sgs, err := models.Suggestions(c.UserContext(), h.DB, currentUser(c), a, h.now())
	if err != nil {
		return err
	}
	reqs := map[uint]*models.Requirement{}
	for i := range a.Answers {
		reqs[a.Answers[i].RequirementID] = a.Answers[i].Requirement
	}
	out := make([]suggestionJSON, 0, len(sgs))
	for i := range sgs {
		out = append(out, suggestionOf(&sgs[i], reqs[sgs[i].RequirementID], a.Tender.Language))
	}
	return c.JSON(fiber.Map{"suggestions": out})
}

func suggestionOf(s *models.Suggestion, r *models.Requirement, lang string) suggestionJSON {
	out := suggestionJSON{RequirementID: s.RequirementID, Standard: s.Standard, FromAttestation: s.FromAttestationID, Status: s.Status,
		Explanation: s.Explanation, Evidence: s.Evidence, Source: s.Source, PlannedDate: s.PlannedDate, Domains: s.Domains,
		FromVersion: s.FromVersion, StandingAnswerID: s.StandingAnswerID, ValidUntil: s.ValidUntil}
	if out.Domains == nil {
		out.Domains = []models.ScopeDomain{}
	}
	if out.Evidence == nil {
		out.Evidence = []models.SuggestedEvidence{}
	}
	if t := s.FromTender; t != nil {
		out.FromTender = &fromTenderJSON{ID: t.ID, Title: t.Title, Reference: t.Reference}
		at := s.SubmittedAt
		out.SubmittedAt = &at
	}
	out.ClauseChanged, _, _ = clauseComparison(s, r, lang)
	return out
}

// APIReuseSuggestion is POST
// /api/v1/attestations/{id}/suggestions/{requirement_id}/reuse with an
// optional body {"replace": true}: it fills the draft answer with the
// suggestion GET .../suggestions shows for it and answers 200 with the
// answer. An answered requirement is only replaced with replace (409
// state.library_answered otherwise); EditableBy's refusals are 409/403.
func (h *Handler) APIReuseSuggestion(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	var in struct {
		Replace bool `json:"replace"`
	}
	if len(bytes.TrimSpace(c.Body())) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	done, err := models.Reuse(c.UserContext(), h.DB, currentUser(c), a.ID, rid, in.Replace, h.now())
	if err != nil {
		return libraryRefusal(err)
	}
	a, err = models.FindAttestation(c.UserContext(), h.DB, a.ID)
	if err != nil {
		return err
	}
	for i := range a.Answers {
		if a.Answers[i].RequirementID == rid {
			s := done.Suggestions[0]
			return c.JSON(fiber.Map{"answer": answerOf(&a.Answers[i]), "source": s.Source, "from_attestation": s.FromAttestationID,
				"scope_filled": done.ScopeFilled, "planned_date_dropped": done.DateDropped})
		}
	}
	return fiber.ErrNotFound
}
