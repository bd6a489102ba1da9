package handlers

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// answerView is one answer on the attestation page with what the viewer
// may do with it.
type answerView struct {
	models.Answer
	Thread     []models.ReviewComment
	Form       map[string]string
	Errors     map[string]string
	CanReview  bool
	CanReply   bool
	StatusText string
}

var statusTexts = map[string]string{
	models.AnswerComplies: "Complies", models.AnswerPartial: "Partially complies",
	models.AnswerDoesNotComply: "Does not comply", models.AnswerNotApplicable: "Not applicable", "": "Not answered",
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
	failedFor, _ := data["AnswerFor"].(uint)
	views := make([]answerView, len(a.Answers))
	for i, an := range a.Answers {
		v := answerView{Answer: an, Thread: threads[an.RequirementID], StatusText: statusTexts[an.Status],
			CanReview: reviewable,
			CanReply:  a.ClarifiableBy(u, &an) == nil,
			Form:      map[string]string{"status": an.Status, "explanation": an.Explanation, "planned_date": an.PlannedDate},
		}
		if failedFor == an.RequirementID {
			v.Form, _ = data["AnswerForm"].(map[string]string)
			v.Errors, _ = data["AnswerErrors"].(map[string]string)
		}
		views[i] = v
	}
	data["Attestation"], data["Answers"], data["Editable"] = a, views, editable
	data["Completeness"] = a.Completeness()
	// The review matrix is the tender's managers' page, submitted or not.
	data["CanReview"] = a.Tender.ManageableBy(u) == nil
	data["CanReopen"] = a.ReopenableBy(u, now) == nil
	data["DeadlinePassed"] = a.DeadlinePassed(now)
	data["DeadlineSoon"] = !a.Submitted() && a.Tender.Deadline != nil && !a.DeadlinePassed(now) && a.Tender.Deadline.Sub(now) <= h.reminderWindow()
	data["Web"], data["Mail"] = a.ScopeNames(models.ScopeWeb), a.ScopeNames(models.ScopeMail)
	if _, ok := data["ScopeWeb"]; !ok {
		data["ScopeWeb"], data["ScopeMail"] = joinLines(a.ScopeNames(models.ScopeWeb)), joinLines(a.ScopeNames(models.ScopeMail))
	}
	data["Statuses"] = models.AnswerStatuses
	data["StatusTexts"] = statusTexts
	data["Today"] = now.UTC().Format("2006-01-02")
	data["Receipt"] = a.Receipt()
	if err := h.addAttestationVerdicts(c, a, data); err != nil {
		return err
	}
	data["MaxDomains"] = models.MaxScopeDomains
	if a.Version > 1 {
		changes, err := models.VersionChanges(ctx, h.DB, a.ID, a.Version)
		if err != nil {
			return err
		}
		data["Changes"] = changes
	}
	if _, ok := data["Flash"]; !ok {
		data["Flash"] = attestFlash(c)
	}
	title := "Attestation"
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
	views := make([]answerView, len(a.Answers))
	for i, an := range a.Answers {
		views[i] = answerView{Answer: an, StatusText: statusTexts[an.Status]}
	}
	return h.render(c, fiber.StatusOK, "attestations/version", "Version", fiber.Map{
		"Attestation": a, "Version": version, "Answers": views, "Changes": changes, "Submission": sub,
		"Web": a.ScopeNames(models.ScopeWeb), "Mail": a.ScopeNames(models.ScopeMail),
	})
}

// deadlineIn says how long until deadline, for reminders.
func deadlineIn(deadline, now time.Time) string {
	d := deadline.Sub(now)
	switch {
	case d < time.Hour:
		return "less than an hour"
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
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
