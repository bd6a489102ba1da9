package handlers

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/receipt"
	"tenderprobe/models"
)

// receiptVersion reads ?version=N; 0 means the latest submitted version.
func receiptVersion(c *fiber.Ctx) (int, error) {
	v := c.Query("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, refuse(fiber.StatusNotFound, "receipt.no_such_version")
	}
	return n, nil
}

// receiptFor loads the attestation of the URL (if the user may see it)
// and re-computes the receipt of the version ?version= names (the latest
// submitted one without it), with the submission that stored it.
func (h *Handler) receiptFor(c *fiber.Ctx) (*models.Attestation, receipt.Verification, *models.Submission, error) {
	a, err := h.attestationFor(c)
	if err != nil {
		return nil, receipt.Verification{}, nil, err
	}
	version, err := receiptVersion(c)
	if err != nil {
		return nil, receipt.Verification{}, nil, err
	}
	v, sub, err := models.VerifyReceipt(c.UserContext(), h.DB, a.ID, version)
	if err != nil {
		return nil, receipt.Verification{}, nil, err
	}
	return a, v, sub, nil
}

// VerifyReceipt re-computes a receipt from the database and shows whether
// it still matches the one stored at submission.
func (h *Handler) VerifyReceipt(c *fiber.Ctx) error {
	a, v, sub, err := h.receiptFor(c)
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "attestations/receipt", "title.receipt", fiber.Map{"Attestation": a, "Verification": v, "Submission": sub,
		"Differences": receiptDifferences(localeOf(c).Lang, v)})
}

// DownloadReceipt sends the canonical JSON a receipt hashes, exactly as
// stored: its SHA-256 (for example with sha256sum) is the receipt.
func (h *Handler) DownloadReceipt(c *fiber.Ctx) error {
	a, _, sub, err := h.receiptFor(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="attestation-%d-v%d-receipt.json"`, a.ID, sub.Version))
	c.Set("X-Receipt-SHA256", sub.Receipt)
	return c.SendString(sub.Canonical)
}

// APIVerifyReceipt is GET /api/v1/attestations/{id}/receipt.
func (h *Handler) APIVerifyReceipt(c *fiber.Ctx) error {
	a, v, sub, err := h.receiptFor(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"attestation_id": a.ID, "version": sub.Version, "receipt": sub.Receipt, "declarer": sub.Declarer,
		"submitted_at": sub.SubmittedAt, "recomputed": v.Recomputed, "match": v.Match, "differences": v.Differences})
}
