package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/metrics"
	"tenderprobe/app/report"
)

// sendPDF sends the planned document as an attachment called name. A
// document that may be stored carries its hash as a weak ETag (two
// renders of one hash differ at most in their creation date) and answers a
// request that already has it with 304 without reading it from storage.
// kind names the document in the metrics (metrics.PDFSheet, ...).
func (h *Handler) sendPDF(c *fiber.Ctx, kind string, p report.Plan, name string) error {
	if p.Hash != "" {
		c.Set(fiber.HeaderETag, `W/"`+p.Hash+`"`)
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		if etagMatches(c.Get(fiber.HeaderIfNoneMatch), p.Hash) {
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	start := time.Now()
	d, err := p.Document(c.UserContext(), h.DB)
	if err != nil {
		return err
	}
	if d.Stored {
		metrics.PDFServedFromCache(kind)
	} else {
		metrics.PDFRendered(kind, time.Since(start))
	}
	return sendDownload(c, "application/pdf", name, d.Body)
}

// etagMatches reports whether an If-None-Match header names the entity
// tag hash, comparing weakly (RFC 9110, 13.1.2): "*" or any listed tag with
// or without W/.
func etagMatches(header, hash string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == `"`+hash+`"` {
			return true
		}
	}
	return false
}
