package handlers

import (
	"errors"
	"net/url"
	"strconv"

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
	if errs, ok := fieldErrors(c, err); ok {
		setFormErrors(c, form, errs, userFormFields)
		return h.renderUsers(c, fiber.StatusUnprocessableEntity, form)
	}
	if errors.Is(err, models.ErrConflict) {
		setFormErrors(c, form, formError(c, "email", "user.email_taken"), userFormFields)
		return h.renderUsers(c, fiber.StatusConflict, form)
	}
	return err
}

// userFormFields are the fields of the form that adds an account, in its
// order, with the ids of their inputs (templates/admin/users.html).
var userFormFields = []formField{
	{Name: "email", ID: "user-email"}, {Name: "name", ID: "user-name"}, {Name: "password", ID: "user-password"},
	{Name: "role", ID: "user-role"}, {Name: "org_id", ID: "user-org"},
}

// renderUsers shows the page of accounts the query asks for (search, role,
// organisation, state, order, page) with data.
func (h *Handler) renderUsers(c *fiber.Ctx, status int, data fiber.Map) error {
	ctx := c.UserContext()
	orgs, err := models.ListOrgs(ctx, h.DB, "")
	if err != nil {
		return err
	}
	data["Orgs"], data["UserStates"] = orgs, models.UserStates
	data["MinPassword"] = models.MinPasswordLength
	page, err := queryCount(c, "page")
	if err != nil {
		return err
	}
	orgID, err := queryID(c, "org")
	if err != nil {
		return err
	}
	q := models.UserQuery{Search: c.Query("q"), Role: c.Query("role"), OrgID: orgID, State: c.Query("state"), Sort: c.Query("sort"), Page: page}
	list, err := models.FindUsers(ctx, h.DB, q)
	if errs, ok := fieldErrors(c, err); ok {
		data["FilterErrors"], data["Query"] = errs, q
		return h.render(c, fiber.StatusBadRequest, "admin/users", "title.users", data)
	}
	if err != nil {
		return err
	}
	data["Users"], data["Paging"], data["Query"] = list.Users, list.Paging, list.Query
	org := ""
	if q.OrgID != 0 {
		org = strconv.FormatUint(uint64(q.OrgID), 10)
	}
	data["PageURL"] = pageURL("/admin/users", url.Values{"q": {q.Search}, "role": {q.Role}, "org": {org}, "state": {q.State}, "sort": {list.Query.Sort}})
	return h.render(c, status, "admin/users", "title.users", data)
}
