package handlers

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// answerInputFromForm reads an answer form. A planned date left in the
// form after switching to complies or not applicable is dropped, since
// the date field is then hidden from the vendor.
func answerInputFromForm(c *fiber.Ctx) (models.AnswerInput, map[string]string, error) {
	in := models.AnswerInput{Status: c.FormValue("status"), Explanation: c.FormValue("explanation"),
		PlannedDate: c.FormValue("planned_date"), EvidenceURL: c.FormValue("evidence_url")}
	if in.Status != models.AnswerPartial && in.Status != models.AnswerDoesNotComply {
		in.PlannedDate = ""
	}
	form := map[string]string{"status": in.Status, "explanation": in.Explanation, "planned_date": in.PlannedDate, "evidence_url": in.EvidenceURL}
	lock, err := optionalInt("lock_version", c.FormValue("lock_version"))
	in.LockVersion = lock
	return in, form, err
}

// SaveAnswer stores one answer as a draft and goes back to it on the
// page. The page's script saves each answer as the vendor types
// (Accept: application/json): it gets the answer's new lock version, or
// the refusal as JSON ("error", "code", "field", and "errors" listing every
// refused field).
func (h *Handler) SaveAnswer(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	in, form, err := answerInputFromForm(c)
	var an *models.Answer
	if err == nil {
		an, err = models.SaveAnswer(c.UserContext(), h.DB, currentUser(c), a.ID, rid, in, h.now())
	}
	if wantsJSON(c) {
		if p := problemOf(err); err != nil && p.Status < fiber.StatusInternalServerError {
			lang := localeOf(c).Lang
			body := p.json(lang)
			// The page shows the refusal next to the answer, naming each
			// refused field as the answer form labels it.
			refused := p.Invalid
			if refused == nil {
				refused = []problem{p}
			}
			words := make([]string, len(refused))
			for i, ip := range refused {
				words[i] = ip.fieldText(lang)
				if ip.Field != "" && ip.Field != "form" && hasMessage("answer.field."+ip.Field) {
					words[i] = messageIn(lang, "answer.field."+ip.Field, nil) + ": " + words[i]
				}
			}
			body["message"] = strings.Join(words, "; ")
			return c.Status(p.Status).JSON(body)
		}
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"requirement_id": rid, "status": an.Status, "lock_version": an.LockVersion, "answered": an.Answered()})
	}
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, fiber.Map{
			"AnswerForms": map[uint]map[string]string{rid: form}, "AnswerErrors": map[uint]map[string]string{rid: errs}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=saved#answer-%d", a.ID, rid), fiber.StatusSeeOther)
}

// wantsJSON reports whether a web form's request was sent by a page's
// script, which asks for JSON instead of a page.
func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}

// APISaveAnswer is PUT /api/v1/attestations/{id}/answers/{requirement_id}.
func (h *Handler) APISaveAnswer(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	var in apiAnswer
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	_, err = models.SaveAnswer(c.UserContext(), h.DB, currentUser(c), a.ID, rid, in.input(), h.now())
	if err != nil {
		return err
	}
	a, err = models.FindAttestation(c.UserContext(), h.DB, a.ID)
	if err != nil {
		return err
	}
	for i := range a.Answers {
		if a.Answers[i].RequirementID == rid {
			return c.JSON(answerOf(&a.Answers[i]))
		}
	}
	return fiber.ErrNotFound
}
