package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/mail"
	"tenderprobe/app/report"
	"tenderprobe/models"
)

// invitationLink builds the link that goes to the vendor: under the
// configured public address, else under the one the officer is using.
func (h *Handler) invitationLink(c *fiber.Ctx, token string) string {
	base := h.Attest.BaseURL
	if base == "" {
		base = c.BaseURL()
	}
	return base + "/invitations/" + token
}

// sendInvitation mails the link when a relay is configured and reports
// whether it went; a failure is logged, not fatal, since the officer
// sees the link and can send it another way.
func (h *Handler) sendInvitation(c *fiber.Ctx, t *models.Tender, inv *models.Invitation, link string) (bool, string) {
	if !h.Attest.Mailer.Enabled() {
		return false, ""
	}
	buyer := ""
	if t.BuyerOrg != nil {
		buyer = t.BuyerOrg.Name
	}
	subject, body := mail.InvitationMail(t.Language, report.ZoneOf(t), buyer, t.Title, t.Reference, link, t.Deadline, inv.SetsPassword)
	if err := h.Attest.Mailer.Send(c.UserContext(), inv.Email, subject, body); err != nil {
		h.Log.Error("invitation mail failed", "tender", t.ID, "err", err)
		return false, tr(c, "invitation.mail_failed", nil)
	}
	return true, ""
}

// sentMail is whether the invitation of one vendor was mailed.
type sentMail struct {
	Invitation *models.Invitation
	Link       string
	Mailed     bool
}

// mailInvitations mails every invitation of res, after its transaction:
// mail is slow and may fail, and neither may hold the database.
func (h *Handler) mailInvitations(c *fiber.Ctx, t *models.Tender, res *models.InviteResult) ([]sentMail, string) {
	out := make([]sentMail, len(res.Sent))
	var failed string
	for i, s := range res.Sent {
		link := h.invitationLink(c, s.Token)
		mailed, msg := h.sendInvitation(c, t, s.Invitation, link)
		out[i] = sentMail{s.Invitation, link, mailed}
		if msg != "" {
			failed = msg
		}
	}
	return out, failed
}

// inviteInput reads the invitation form: an e-mail address for a new
// supplier or a vendor, or an existing supplier chosen from the list.
func inviteInput(c *fiber.Ctx) (models.InviteInput, error) {
	in := models.InviteInput{Email: c.FormValue("email"), Supplier: c.FormValue("supplier"), Name: c.FormValue("name")}
	id, err := formUint(c, "supplier_id")
	in.SupplierID = id
	if err == nil && id == 0 && c.FormValue("invite") == "existing" {
		// The form for a supplier from the list was sent without a choice.
		return in, invalidInput("supplier_id", "choose_supplier")
	}
	return in, err
}

// CreateInvitation invites a supplier to a published tender: a vendor or
// new supplier by e-mail, whose link is shown once since only its hash is
// stored, or an existing supplier chosen from the list, whose vendors log
// in to answer.
func (h *Handler) CreateInvitation(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	in, err := inviteInput(c)
	if err == nil {
		var res *models.InviteResult
		res, err = models.InviteToTender(c.UserContext(), h.DB, currentUser(c), t.ID, in, h.invitationTTL(), h.now())
		if err == nil {
			sent, mailErr := h.mailInvitations(c, t, res)
			data := fiber.Map{"Result": res, "Sent": sent, "MailError": mailErr}
			if in.SupplierID == 0 {
				// The vendors of a supplier chosen from the list log in as
				// they always do; only an invitation by e-mail shows its link.
				data["Link"], data["Invited"], data["Mailed"] = sent[0].Link, sent[0].Invitation, sent[0].Mailed
			}
			return h.renderInvitations(c, fiber.StatusCreated, t, data)
		}
	}
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderInvitations(c, fiber.StatusUnprocessableEntity, t, fiber.Map{"Errors": errs, "Form": in})
	}
	return err
}

// APICreateInvitation is POST /api/v1/tenders/{id}/invitations: either
// "email" (with "supplier" and "name" for a new supplier) or "supplier_id",
// an existing supplier whose active vendors are invited.
func (h *Handler) APICreateInvitation(c *fiber.Ctx) error {
	t, err := h.tenderToManage(c)
	if err != nil {
		return err
	}
	var in struct {
		Email      string `json:"email"`
		Supplier   string `json:"supplier"`
		Name       string `json:"name"`
		SupplierID uint   `json:"supplier_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.SupplierID == 0 {
		if err := required([2]string{"email", in.Email}); err != nil {
			return err
		}
	}
	res, err := models.InviteToTender(c.UserContext(), h.DB, currentUser(c), t.ID,
		models.InviteInput{Email: in.Email, Supplier: in.Supplier, Name: in.Name, SupplierID: in.SupplierID}, h.invitationTTL(), h.now())
	if err != nil {
		return err
	}
	sent, _ := h.mailInvitations(c, t, res)
	c.Location(fmt.Sprintf("/api/v1/attestations/%d", res.AttestationID))
	if in.SupplierID == 0 {
		s := sent[0]
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{
			"id": s.Invitation.ID, "url": s.Link, "attestation_id": res.AttestationID, "expires_at": s.Invitation.ExpiresAt, "mailed": s.Mailed,
			"supplier_id": res.Supplier.ID, "new_account": res.NewAccount,
		})
	}
	invs := make([]fiber.Map, len(sent))
	all := true
	for i, s := range sent {
		invs[i] = fiber.Map{"id": s.Invitation.ID, "email": s.Invitation.Email, "expires_at": s.Invitation.ExpiresAt, "mailed": s.Mailed}
		all = all && s.Mailed
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"attestation_id": res.AttestationID, "supplier_id": res.Supplier.ID, "invitations": invs, "mailed": all, "new_account": false,
	})
}
