package handlers

import (
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// DownloadEvidence sends an evidence file, only to users allowed to see
// the attestation, always as an attachment with the type checked at
// upload, so that a browser never renders it in this site's origin.
func (h *Handler) DownloadEvidence(c *fiber.Ctx) error {
	attID, err := paramID(c, "id")
	if err != nil {
		return err
	}
	eid, err := paramID(c, "evidence_id")
	if err != nil {
		return err
	}
	ev, err := models.FindEvidenceFor(c.UserContext(), h.DB, currentUser(c), attID, eid)
	if err != nil {
		return err
	}
	if ev.Kind != models.EvidenceFile {
		// URL evidence is a link on the page, never a redirect from here.
		return refuse(fiber.StatusNotFound, "evidence.is_link")
	}
	f, err := h.Attest.Store.Open(ev.StoragePath)
	if err != nil {
		return err
	}
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, ev.FileName)
	c.Set(fiber.HeaderContentType, ev.ContentType)
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disposition == "" {
		disposition = "attachment"
	}
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set("X-Evidence-SHA256", ev.SHA256)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.SendStream(f, int(ev.Size))
}
