package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// APIPreviewDocumentMail is GET /api/v1/tender-documents/{id}/mail-preview?to=:
// the mail of the stored analysis to to, exactly as POST .../mail would
// send it, with the hash that POST must repeat. Nothing is sent.
func (h *Handler) APIPreviewDocumentMail(c *fiber.Ctx) error {
	s, _, err := h.documentSubject(c, true)
	if err != nil {
		return err
	}
	return h.apiPreviewMail(c, s)
}

// APIPreviewTenderMail is GET /api/v1/tenders/{id}/analysis/mail-preview?to=:
// the mail of a platform tender's analysis (with its own kinds of ICT).
func (h *Handler) APIPreviewTenderMail(c *fiber.Ctx) error {
	s, _, err := h.tenderSubject(c, true)
	if err != nil {
		return err
	}
	return h.apiPreviewMail(c, s)
}

func (h *Handler) apiPreviewMail(c *fiber.Ctx, s *analysisSubject) error {
	p, err := h.composeAnalysisMail(c, s, "to", strings.TrimSpace(c.Query("to")))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// apiAnalysisMail is the API's answer about a sent mail.
type apiAnalysisMail struct {
	*models.AnalysisMail
	Text   string `json:"text"`
	Linked bool   `json:"linked"`
}

// APISendDocumentMail is POST /api/v1/tender-documents/{id}/mail with
// {"to", "hash"}: it sends the previewed mail and answers 201 with its
// record. A hash that no longer matches is 409 with the new preview, a
// mail to the same address within ten minutes 429, a relay that is not
// set up 503 and one that refuses 502; in each case nothing is recorded.
func (h *Handler) APISendDocumentMail(c *fiber.Ctx) error {
	s, _, err := h.documentSubject(c, true)
	if err != nil {
		return err
	}
	return h.apiSendMail(c, s)
}

// APISendTenderMail is POST /api/v1/tenders/{id}/analysis/mail, as
// APISendDocumentMail for a platform tender's analysis.
func (h *Handler) APISendTenderMail(c *fiber.Ctx) error {
	s, _, err := h.tenderSubject(c, true)
	if err != nil {
		return err
	}
	return h.apiSendMail(c, s)
}

func (h *Handler) apiSendMail(c *fiber.Ctx, s *analysisSubject) error {
	var in struct {
		To   string `json:"to"`
		Hash string `json:"hash"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := required([2]string{"to", in.To}, [2]string{"hash", in.Hash}); err != nil {
		return err
	}
	m, p, err := h.sendAnalysisMail(c, s, "to", strings.TrimSpace(in.To), in.Hash)
	if errors.Is(err, errMailChanged) {
		// The caller reads the new preview here rather than asking again.
		body := problemOf(err).json(localeOf(c).Lang)
		body["preview"] = p
		return c.Status(fiber.StatusConflict).JSON(body)
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(apiAnalysisMail{AnalysisMail: m, Text: p.Text, Linked: p.Linked})
}
