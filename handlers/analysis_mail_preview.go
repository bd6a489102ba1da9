package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// renderAnalysisMail shows the mail page of s: the recipient field with
// the suggested contacts and, once a recipient is given, the mail exactly
// as it would go (subject, text, language) with the Send button, whose
// form carries the preview's hash.
func (h *Handler) renderAnalysisMail(c *fiber.Ctx, status int, s *analysisSubject, to string, p *analysisPreview, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	opt, err := h.documentOptions(c)
	if err != nil {
		return err
	}
	data["Name"], data["Platform"] = s.name, s.platform
	data["Page"] = s.page
	data["Action"] = strings.SplitN(s.page, "?", 2)[0] + "/mail"
	data["Contacts"] = s.contacts
	type contactLink struct{ Email, Href string }
	var links []contactLink
	for _, a := range s.contacts {
		links = append(links, contactLink{a, withQuery(data["Action"].(string)+kindsQuery(c, opt), "email", a)})
	}
	data["ContactLinks"] = links
	data["To"] = to
	data["Preview"] = p
	data["MailEnabled"] = h.Attest.Mailer.Enabled()
	data["KindsChosen"] = kindsChoice(c, opt).Chosen
	data["Profiles"] = opt.Profiles
	data["ClauseLang"] = documentLanguage(s.res.Document.Language)
	return h.render(c, status, "tender_documents/mail", "analysismail.title", data)
}

// previewAnalysisMail answers GET of a mail page: the form alone, or the
// preview of the mail to ?email=. Nothing is sent or stored.
func (h *Handler) previewAnalysisMail(c *fiber.Ctx, s *analysisSubject) error {
	to := strings.TrimSpace(c.Query("email"))
	if to == "" {
		return h.renderAnalysisMail(c, fiber.StatusOK, s, "", nil, nil)
	}
	p, err := h.composeAnalysisMail(c, s, "email", to)
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAnalysisMail(c, fiber.StatusUnprocessableEntity, s, to, nil, fiber.Map{"Errors": errs})
	}
	if err != nil {
		return err
	}
	return h.renderAnalysisMail(c, fiber.StatusOK, s, p.To, p, nil)
}

// PreviewDocumentMail is the mail page of an uploaded document's analysis.
func (h *Handler) PreviewDocumentMail(c *fiber.Ctx) error {
	s, _, err := h.documentSubject(c, false)
	if err != nil {
		return err
	}
	return h.previewAnalysisMail(c, s)
}

// PreviewTenderMail is the mail page of a platform tender's analysis.
func (h *Handler) PreviewTenderMail(c *fiber.Ctx) error {
	s, _, err := h.tenderSubject(c, false)
	if err != nil {
		return err
	}
	return h.previewAnalysisMail(c, s)
}
