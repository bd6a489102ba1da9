package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ReplyToReview adds the vendor's reply to a clarification thread.
func (h *Handler) ReplyToReview(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	body := c.FormValue("reply")
	_, err = models.ReplyToReview(c.UserContext(), h.DB, currentUser(c), a.ID, rid, body, h.now())
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, fiber.Map{"AnswerFor": rid, "AnswerErrors": errs, "AnswerForm": map[string]string{"reply": body}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=replied#answer-%d", a.ID, rid), fiber.StatusSeeOther)
}

// AmendAnswer changes the answer under clarification; the change is
// submitted at once as a new version with a new receipt.
func (h *Handler) AmendAnswer(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	in, form, err := answerInputFromForm(c)
	comment := c.FormValue("comment")
	form["comment"] = comment
	decl := models.SubmitInput{Declaration: c.FormValue("declaration") != "", Declarer: c.FormValue("declarer")}
	if err == nil {
		_, err = models.AmendAnswer(c.UserContext(), h.DB, currentUser(c), a.ID, rid, in, comment, decl, h.now())
	}
	if p := problemOf(err); p.Missing != nil {
		return h.renderAttestation(c, p.Status, a, fiber.Map{"AnswerFor": rid, "AnswerForm": form,
			"AnswerErrors": map[string]string{"declaration": p.text(localeOf(c).Lang)}})
	}
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, fiber.Map{"AnswerFor": rid, "AnswerForm": form, "AnswerErrors": errs})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=amended#answer-%d", a.ID, rid), fiber.StatusSeeOther)
}

// APIReplyToReview is POST /api/v1/attestations/{id}/answers/{requirement_id}/reply
// with {"body"}; with "amend" it also changes the answer (a new submitted
// version, which needs "declaration" and "declarer").
func (h *Handler) APIReplyToReview(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	var in struct {
		Body        string     `json:"body"`
		Amend       *apiAnswer `json:"amend"`
		Declaration bool       `json:"declaration"`
		Declarer    string     `json:"declarer"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	if in.Amend == nil {
		cm, err := models.ReplyToReview(ctx, h.DB, u, a.ID, rid, in.Body, h.now())
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": cm.ID, "kind": cm.Kind})
	}
	sub, err := models.AmendAnswer(ctx, h.DB, u, a.ID, rid, in.Amend.input(), in.Body, models.SubmitInput{Declaration: in.Declaration, Declarer: in.Declarer}, h.now())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"status": models.AttestationSubmitted, "version": sub.Version, "receipt": sub.Receipt})
}
