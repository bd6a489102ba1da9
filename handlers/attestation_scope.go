package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/models"
)

// SaveScope stores the web and mail domains the offer covers.
func (h *Handler) SaveScope(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	webText, mailText := c.FormValue("web"), c.FormValue("mail")
	lock, err := optionalInt("scope_lock", c.FormValue("scope_lock"))
	if err == nil {
		_, err = models.SetScope(c.UserContext(), h.DB, currentUser(c), a.ID, attest.SplitDomains(webText), attest.SplitDomains(mailText), lock, h.now())
	}
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, fiber.Map{"ScopeErrors": errs, "ScopeWeb": webText, "ScopeMail": mailText})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=scope#scope", a.ID), fiber.StatusSeeOther)
}

// APISaveScope is PUT /api/v1/attestations/{id}/scope. "domains" are in
// scope for both web and mail checks; "web" and "mail" add names for one
// kind only.
func (h *Handler) APISaveScope(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	var in struct {
		Domains   []string `json:"domains"`
		Web       []string `json:"web"`
		Mail      []string `json:"mail"`
		ScopeLock *int     `json:"scope_lock"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	web := append(append([]string{}, in.Domains...), in.Web...)
	mail := append(append([]string{}, in.Domains...), in.Mail...)
	a, err = models.SetScope(c.UserContext(), h.DB, currentUser(c), a.ID, web, mail, in.ScopeLock, h.now())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"scope": fiber.Map{"web": a.ScopeNames(models.ScopeWeb), "mail": a.ScopeNames(models.ScopeMail)}, "scope_lock": a.ScopeLock})
}
