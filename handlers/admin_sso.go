package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListSSOProviders shows the organisations' identity providers and the
// form to register or change one.
func (h *Handler) ListSSOProviders(c *fiber.Ctx) error {
	form := fiber.Map{"Input": models.SSOProviderInput{FixedRole: models.RoleOfficer}}
	if id, err := strconv.ParseUint(c.Query("org"), 10, 32); err == nil {
		form["Input"] = h.ssoInputOf(c, uint(id))
	}
	return h.renderSSOProviders(c, fiber.StatusOK, form)
}

// ssoInputOf fills the form with the provider of org, when it has one.
func (h *Handler) ssoInputOf(c *fiber.Ctx, org uint) models.SSOProviderInput {
	in := models.SSOProviderInput{OrgID: org, FixedRole: models.RoleOfficer}
	list, err := models.ListSSOProviders(c.UserContext(), h.DB)
	if err != nil {
		return in
	}
	for _, p := range list {
		if p.OrgID == org {
			return models.SSOProviderInput{OrgID: org, Issuer: p.Issuer, ClientID: p.ClientID, Domains: p.Domains,
				FixedRole: p.FixedRole, RoleClaim: p.RoleClaim, RoleMap: p.RoleMap, Approval: p.Approval}
		}
	}
	return in
}

// SaveSSOProvider registers an organisation's provider or changes it. The
// client secret is sealed with the configured key before it is stored;
// without the key nothing is saved. An empty secret keeps the stored one.
func (h *Handler) SaveSSOProvider(c *fiber.Ctx) error {
	org, err := strconv.ParseUint(c.FormValue("org_id"), 10, 32)
	if err != nil || org == 0 {
		return invalidInput("org_id", "not_a_number")
	}
	in := models.SSOProviderInput{
		OrgID: uint(org), Issuer: c.FormValue("issuer"), ClientID: c.FormValue("client_id"), Domains: c.FormValue("domains"),
		FixedRole: c.FormValue("fixed_role"), RoleClaim: c.FormValue("role_claim"), RoleMap: c.FormValue("role_map"),
		Approval: c.FormValue("approval") == "true",
	}
	form := fiber.Map{"Input": in}
	if !h.SSO.Sealer.Ready() {
		form["Errors"] = formError(c, "form", "sso.admin.no_key")
		return h.renderSSOProviders(c, fiber.StatusConflict, form)
	}
	if secret := c.FormValue("client_secret"); secret != "" {
		sealed, err := h.SSO.Sealer.Seal(secret, secretLabel(in.OrgID))
		if err != nil {
			return err
		}
		in.SealedSecret = sealed
	}
	p, err := models.SaveSSOProvider(c.UserContext(), h.DB, currentUser(c), in, h.now())
	var se *models.SSOError
	if errors.As(err, &se) {
		form["Errors"] = formError(c, se.Field, "sso.invalid."+se.Code, flattenParams(se.Params)...)
		return h.renderSSOProviders(c, fiber.StatusUnprocessableEntity, form)
	}
	if errs, ok := fieldErrors(c, err); ok {
		form["Errors"] = errs
		return h.renderSSOProviders(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	if h.SSO.Client != nil {
		h.SSO.Client.Forget(p.Issuer)
	}
	h.Log.Info("sso provider saved", "provider", p.ID, "org", p.OrgID, "by", currentUser(c).ID)
	return c.Redirect("/admin/sso?flash=sso_saved", fiber.StatusSeeOther)
}

// DeleteSSOProvider removes an organisation's provider; its people sign
// in with a password again (an admin sets one).
func (h *Handler) DeleteSSOProvider(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := models.DeleteSSOProvider(c.UserContext(), h.DB, currentUser(c), id, h.now()); err != nil {
		return err
	}
	return c.Redirect("/admin/sso?flash=sso_deleted", fiber.StatusSeeOther)
}

func flattenParams(m map[string]any) []any {
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// renderSSOProviders shows the providers page with data.
func (h *Handler) renderSSOProviders(c *fiber.Ctx, status int, data fiber.Map) error {
	ctx := c.UserContext()
	list, err := models.ListSSOProviders(ctx, h.DB)
	if err != nil {
		return err
	}
	buyers, err := models.ListOrgs(ctx, h.DB, "")
	if err != nil {
		return err
	}
	data["Providers"], data["Orgs"], data["Roles"] = list, buyers, models.Roles
	data["KeyReady"] = h.SSO.Sealer.Ready()
	data["RedirectURL"] = h.ssoRedirectURL(c)
	data["LogoutURL"] = h.publicBase(c) + "/login"
	return h.render(c, status, "admin/sso", "title.sso_providers", data)
}
