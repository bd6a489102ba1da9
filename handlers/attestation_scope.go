package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/models"
)

// SaveScope stores the web and mail domains and the management endpoints
// the offer covers.
func (h *Handler) SaveScope(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	webText, mailText, mgmtText := c.FormValue("web"), c.FormValue("mail"), c.FormValue("management")
	hasMgmt := c.Request().PostArgs().Has("management")
	if form, ferr := c.MultipartForm(); ferr == nil {
		_, hasMgmt = form.Value["management"]
	}
	lock, err := optionalInt("scope_lock", c.FormValue("scope_lock"))
	if err == nil {
		_, err = models.SetScopeAll(c.UserContext(), h.DB, currentUser(c), a.ID, attest.SplitDomains(webText), attest.SplitDomains(mailText),
			attest.ManagementEndpoints(hasMgmt, mgmtText), lock, h.now())
	}
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, fiber.Map{"ScopeErrors": errs, "ScopeWeb": webText, "ScopeMail": mailText, "ScopeManagement": mgmtText})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=scope#scope", a.ID), fiber.StatusSeeOther)
}

// APISaveScope is PUT /api/v1/attestations/{id}/scope. "domains" are in
// scope for both web and mail checks; "web" and "mail" add names for one
// kind only. "management" lists the management endpoints (SSH servers);
// left out, the current ones are kept.
func (h *Handler) APISaveScope(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	var in struct {
		Domains    []string `json:"domains"`
		Web        []string `json:"web"`
		Mail       []string `json:"mail"`
		Management []string `json:"management"`
		ScopeLock  *int     `json:"scope_lock"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	web := append(append([]string{}, in.Domains...), in.Web...)
	mail := append(append([]string{}, in.Domains...), in.Mail...)
	a, err = models.SetScopeAll(c.UserContext(), h.DB, currentUser(c), a.ID, web, mail, in.Management, in.ScopeLock, h.now())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"scope": scopeJSON(a), "scope_lock": a.ScopeLock})
}
