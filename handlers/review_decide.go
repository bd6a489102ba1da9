package handlers

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ReviewAnswer records the officer's accept or clarification request on
// one answer.
func (h *Handler) ReviewAnswer(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	d := models.ReviewDecision{Decision: c.FormValue("decision"), Comment: c.FormValue("comment"), Confirmed: c.FormValue("confirm") == "yes"}
	_, err = models.ReviewAnswer(c.UserContext(), h.DB, currentUser(c), a.ID, rid, d, h.now())
	if errors.Is(err, models.ErrAcceptContradicted) {
		return h.renderAcceptConfirm(c, a.ID, rid, fmt.Sprintf("/attestations/%d/answers/%d/review", a.ID, rid),
			fmt.Sprintf("/attestations/%d#answer-%d", a.ID, rid), []hiddenField{{"decision", "accept"}})
	}
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, fiber.Map{"AnswerFor": rid, "AnswerErrors": errs,
			"AnswerForm": map[string]string{"comment": d.Comment}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=reviewed#answer-%d", a.ID, rid), fiber.StatusSeeOther)
}

// APIReviewAnswer is POST /api/v1/attestations/{id}/answers/{requirement_id}/review
// with {"decision":"accept|clarify","comment","confirm"}; accepting an
// answer the probes contradict needs "confirm": true (409 without).
func (h *Handler) APIReviewAnswer(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	var in struct {
		Decision string `json:"decision"`
		Comment  string `json:"comment"`
		Confirm  bool   `json:"confirm"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	an, err := models.ReviewAnswer(c.UserContext(), h.DB, currentUser(c), a.ID, rid, models.ReviewDecision{Decision: in.Decision, Comment: in.Comment, Confirmed: in.Confirm}, h.now())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"requirement_id": rid, "review_status": an.ReviewStatus})
}
