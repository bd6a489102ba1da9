package handlers

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// ListOrgs shows the organisations and the form to add one.
func (h *Handler) ListOrgs(c *fiber.Ctx) error {
	// The getting-started steps link here with the kind to create.
	kind := models.OrgBuyer
	if c.Query("kind") == models.OrgSupplier {
		kind = models.OrgSupplier
	}
	return h.renderOrgs(c, fiber.StatusOK, fiber.Map{"Kind": kind, "Zone": models.DefaultOrgZone})
}

// CreateOrg adds a buyer or supplier organisation.
func (h *Handler) CreateOrg(c *fiber.Ctx) error {
	name, kind, zone := c.FormValue("name"), c.FormValue("kind"), c.FormValue("time_zone")
	_, err := models.CreateOrgInZone(c.UserContext(), h.DB, currentUser(c), name, kind, zone, h.now())
	if err == nil {
		return c.Redirect("/admin/orgs?flash=org", fiber.StatusSeeOther)
	}
	form := fiber.Map{"Name": name, "Kind": kind, "Zone": zone}
	if errs, ok := fieldErrors(c, err); ok {
		form["Errors"] = errs
		return h.renderOrgs(c, fiber.StatusUnprocessableEntity, form)
	}
	if errors.Is(err, models.ErrConflict) {
		// A name taken, which the refusal names: next to the name field.
		form["Errors"] = map[string]string{"name": problemOf(err).fieldText(localeOf(c).Lang)}
		return h.renderOrgs(c, fiber.StatusConflict, form)
	}
	return err
}

// RenameOrg changes an organisation's name and, when the form has it,
// its time zone; its kind never changes.
func (h *Handler) RenameOrg(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	name, zone := c.FormValue("name"), c.FormValue("time_zone")
	ch := models.OrgChanges{Name: &name}
	if formHas(c, "time_zone") {
		ch.TimeZone = &zone
	}
	_, err = models.ChangeOrg(c.UserContext(), h.DB, currentUser(c), id, ch, h.now())
	if err == nil {
		return c.Redirect("/admin/orgs?flash=org_renamed", fiber.StatusSeeOther)
	}
	form := fiber.Map{"Kind": models.OrgBuyer, "Zone": models.DefaultOrgZone, "RenameID": id, "RenameName": name, "RenameZone": zone}
	if errs, ok := fieldErrors(c, err); ok {
		form["RenameError"], form["ZoneError"] = errs["name"], errs["time_zone"]
		return h.renderOrgs(c, fiber.StatusUnprocessableEntity, form)
	}
	if errors.Is(err, models.ErrConflict) {
		form["RenameError"] = problemOf(err).fieldText(localeOf(c).Lang)
		return h.renderOrgs(c, fiber.StatusConflict, form)
	}
	return err
}

// renderOrgs shows the page of organisations the query asks for (search,
// kind, order, page) with data.
func (h *Handler) renderOrgs(c *fiber.Ctx, status int, data fiber.Map) error {
	page, err := queryCount(c, "page")
	if err != nil {
		return err
	}
	q := models.OrgQuery{Search: c.Query("q"), Kind: c.Query("kind"), Sort: c.Query("sort"), Page: page}
	list, err := models.FindOrgs(c.UserContext(), h.DB, q)
	if errs, ok := fieldErrors(c, err); ok {
		data["FilterErrors"], data["Query"] = errs, q
		return h.render(c, fiber.StatusBadRequest, "admin/orgs", "title.orgs", data)
	}
	if err != nil {
		return err
	}
	data["Orgs"], data["Paging"], data["Query"] = list.Orgs, list.Paging, list.Query
	data["PageURL"] = pageURL("/admin/orgs", url.Values{"q": {q.Search}, "kind": {q.Kind}, "sort": {list.Query.Sort}})
	if _, ok := data["RenameID"]; !ok {
		data["RenameID"] = uint(0)
	}
	zone, _ := data["Zone"].(string)
	data["Zones"] = zonesWith(zone)
	return h.render(c, status, "admin/orgs", "title.orgs", data)
}
