package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// postAnalysisMail sends the previewed mail of s (form fields email and
// hash) and goes back to the analysis page, where the sent mails are
// listed. A mail that changed since its preview shows the new preview
// (409); a refused address, the rate limit, a relay that is not set up or
// refuses show the preview again with the reason, and nothing is recorded.
func (h *Handler) postAnalysisMail(c *fiber.Ctx, s *analysisSubject) error {
	to := strings.TrimSpace(c.FormValue("email"))
	_, p, err := h.sendAnalysisMail(c, s, "email", to, c.FormValue("hash"))
	if err == nil {
		return c.Redirect(withQuery(s.page, "flash", "analysismail_sent")+"#mails", fiber.StatusSeeOther)
	}
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAnalysisMail(c, fiber.StatusUnprocessableEntity, s, to, nil, fiber.Map{"Errors": errs})
	}
	// A refusal the sender can act on (changed, too soon, no relay, the
	// relay refused) is shown on the preview, in the one policy's words.
	if pr := problemOf(err); p != nil && (pr.Status < fiber.StatusInternalServerError || pr.Status == fiber.StatusBadGateway || pr.Status == fiber.StatusServiceUnavailable) {
		data := fiber.Map{"Errors": map[string]string{"form": tr(c, pr.Key, pr.Params)}}
		if errors.Is(err, errMailChanged) {
			data = fiber.Map{"Changed": true}
		}
		return h.renderAnalysisMail(c, pr.Status, s, p.To, p, data)
	}
	return err
}

// SendDocumentMail sends the mail of an uploaded document's analysis.
func (h *Handler) SendDocumentMail(c *fiber.Ctx) error {
	s, _, err := h.documentSubject(c, false)
	if err != nil {
		return err
	}
	return h.postAnalysisMail(c, s)
}

// SendTenderMail sends the mail of a platform tender's analysis.
func (h *Handler) SendTenderMail(c *fiber.Ctx) error {
	s, _, err := h.tenderSubject(c, false)
	if err != nil {
		return err
	}
	return h.postAnalysisMail(c, s)
}
