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
	return h.sendEvidenceFile(c, evidenceFile{ev.Kind, ev.StoragePath, ev.FileName, ev.ContentType, ev.SHA256, ev.Size})
}

// evidenceFile is what sendEvidenceFile needs of an evidence row, a
// tender's or a standing answer's.
type evidenceFile struct {
	kind, storagePath, fileName, contentType, sha256 string
	size                                             int64
}

// sendEvidenceFile streams a stored evidence file as an attachment with
// the type checked at upload, so that a browser never renders it in this
// site's origin. Link evidence is a link on the page, never a redirect
// from here.
func (h *Handler) sendEvidenceFile(c *fiber.Ctx, ev evidenceFile) error {
	if ev.kind != models.EvidenceFile {
		return refuse(fiber.StatusNotFound, "evidence.is_link")
	}
	f, err := h.Attest.Store.Open(ev.storagePath)
	if err != nil {
		return err
	}
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, ev.fileName)
	c.Set(fiber.HeaderContentType, ev.contentType)
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disposition == "" {
		disposition = "attachment"
	}
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set("X-Evidence-SHA256", ev.sha256)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.SendStream(f, int(ev.size))
}
