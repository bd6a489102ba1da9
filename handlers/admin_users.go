package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListUsers shows every account and the form to add one.
func (h *Handler) ListUsers(c *fiber.Ctx) error {
	return h.renderUsers(c, fiber.StatusOK, fiber.Map{"Role": models.RoleOfficer})
}

// CreateUser adds an account with a role and, for officers and vendors, an
// organisation.
func (h *Handler) CreateUser(c *fiber.Ctx) error {
	form := fiber.Map{
		"Email": c.FormValue("email"), "Name": c.FormValue("name"),
		"Role": c.FormValue("role"), "OrgID": c.FormValue("org_id"),
	}
	orgID, err := formUint(c, "org_id")
	if err == nil {
		var org *uint
		if orgID != 0 {
			org = &orgID
		}
		_, err = models.CreateUser(c.UserContext(), h.DB, currentUser(c), c.FormValue("email"), c.FormValue("name"),
			c.FormValue("password"), c.FormValue("role"), org, h.now())
		if err == nil {
			return c.Redirect("/admin/users?flash=user", fiber.StatusSeeOther)
		}
	}
	if errs, ok := fieldErrors(err); ok {
		form["Errors"] = errs
		return h.renderUsers(c, fiber.StatusUnprocessableEntity, form)
	}
	if errors.Is(err, models.ErrConflict) {
		form["Errors"] = formError("email", "user.email_taken")
		return h.renderUsers(c, fiber.StatusConflict, form)
	}
	return err
}

func (h *Handler) renderUsers(c *fiber.Ctx, status int, data fiber.Map) error {
	ctx := c.UserContext()
	users, err := models.ListUsers(ctx, h.DB)
	if err != nil {
		return err
	}
	orgs, err := models.ListOrgs(ctx, h.DB, "")
	if err != nil {
		return err
	}
	data["Users"], data["Orgs"] = users, orgs
	return h.render(c, status, "admin/users", "Users", data)
}
