package handlers

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// attestFlashes are the confirmations of the attestation pages, looked up
// like flashMessages so a query can only pick a fixed text.
var attestFlashes = map[string]string{
	"welcome":   "Your password is set. Answer each requirement below; every answer is saved as a draft as you go.",
	"saved":     "Answer saved as a draft.",
	"scope":     "Scope saved.",
	"uploaded":  "Evidence uploaded.",
	"removed":   "Evidence removed.",
	"submitted": "Attestation submitted. Your receipt is below; keep it.",
	"reopened":  "Attestation reopened as a new version. The submitted version and its receipt stay readable.",
	"reviewed":  "Review saved.",
	"replied":   "Reply sent.",
	"amended":   "Answer amended: a new version was submitted with a new receipt.",
	"revoked":   "Invitation revoked: its link no longer works.",
}

func attestFlash(c *fiber.Ctx) string {
	if msg, ok := attestFlashes[c.Query("flash")]; ok {
		return msg
	}
	return flashFrom(c)
}

// ListAttestations shows the attestations the user may see: a vendor its
// own org's, an officer those on the buyer's tenders, auditors and admins all.
func (h *Handler) ListAttestations(c *fiber.Ctx) error {
	list, err := models.ListAttestations(c.UserContext(), h.DB, currentUser(c), models.AttestationFilter{})
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, "attestations/list", "Attestations", fiber.Map{"Attestations": list, "Now": h.now(), "Flash": attestFlash(c)})
}

// APIListAttestations is GET /api/v1/attestations.
func (h *Handler) APIListAttestations(c *fiber.Ctx) error {
	tenderID, err := queryID(c, "tender_id")
	if err != nil {
		return err
	}
	f := models.AttestationFilter{TenderID: tenderID, Status: c.Query("status")}
	list, err := models.ListAttestations(c.UserContext(), h.DB, currentUser(c), f)
	if err != nil {
		return err
	}
	out := make([]attestationJSON, len(list))
	for i := range list {
		out[i] = attestationOf(&list[i], false)
	}
	return c.JSON(fiber.Map{"attestations": out})
}

// APIShowAttestation is GET /api/v1/attestations/{id}.
func (h *Handler) APIShowAttestation(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	out := attestationOf(a, true)
	verdicts, err := h.answerVerifications(c, a)
	if err != nil {
		return err
	}
	for i := range out.Answers {
		out.Answers[i].Verification = verdicts[i]
	}
	return c.JSON(out)
}
