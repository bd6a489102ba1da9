package app

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/handlers"
	"tenderprobe/models"
)

// Role sets used by the routes. Every route names who may call it, and
// TestEveryRouteHasARoleCheck keeps that true.
var (
	anyRole    = []string{models.RoleAdmin, models.RoleOfficer, models.RoleVendor, models.RoleAuditor}
	adminOnly  = []string{models.RoleAdmin}
	tenderEdit = []string{models.RoleAdmin, models.RoleOfficer}
)

// routes registers every route. The JSON API comes first and authenticates
// with bearer tokens; the web UI below it uses sessions and CSRF tokens.
func routes(app *fiber.App, h *handlers.Handler) {
	app.Get("/healthz", h.Health)

	api := app.Group("/api/v1")
	api.Get("/openapi.json", h.APIOpenAPI)
	api.Post("/tokens", h.APICreateToken)
	api.Get("/standards", h.APIAuth, handlers.RequireRole(anyRole...), h.APIListStandards)
	api.Get("/tenders", h.APIAuth, handlers.RequireRole(anyRole...), h.APIListTenders)
	api.Post("/tenders", h.APIAuth, handlers.RequireRole(tenderEdit...), h.APICreateTender)
	api.Get("/tenders/:id", h.APIAuth, handlers.RequireRole(anyRole...), h.APIShowTender)
	api.Post("/tenders/:id/requirements", h.APIAuth, handlers.RequireRole(tenderEdit...), h.APIAddRequirement)
	api.Post("/tenders/:id/publish", h.APIAuth, handlers.RequireRole(tenderEdit...), h.APIPublishTender)
	api.Get("/tenders/:id/sheet.pdf", h.APIAuth, handlers.RequireRole(anyRole...), h.DownloadSheet)

	web := app.Group("", h.LoadSession, h.CSRF)
	web.Get("/login", h.ShowLogin)
	web.Post("/login", h.SubmitLogin)
	web.Post("/logout", h.RequireLogin, h.Logout)

	user := func(roles []string) []fiber.Handler {
		return []fiber.Handler{h.RequireLogin, handlers.RequireRole(roles...)}
	}
	get := func(path string, roles []string, handler fiber.Handler) {
		web.Get(path, append(user(roles), handler)...)
	}
	post := func(path string, roles []string, handler fiber.Handler) {
		web.Post(path, append(user(roles), handler)...)
	}

	get("/", anyRole, h.Dashboard)
	get("/catalogue", anyRole, h.ListCatalogue)
	get("/catalogue/export", anyRole, h.ExportCatalogue)
	get("/catalogue/import", adminOnly, h.ShowCatalogueImport)
	post("/catalogue/import", adminOnly, h.ImportCatalogue)
	get("/catalogue/:slug", anyRole, h.ShowStandard)

	get("/tenders", anyRole, h.ListTenders)
	get("/tenders/new", tenderEdit, h.NewTender)
	post("/tenders", tenderEdit, h.CreateTender)
	get("/tenders/:id", anyRole, h.ShowTender)
	get("/tenders/:id/sheet.pdf", anyRole, h.DownloadSheet)
	get("/tenders/:id/edit", tenderEdit, h.EditTender)
	post("/tenders/:id", tenderEdit, h.UpdateTender)
	post("/tenders/:id/requirements", tenderEdit, h.AddRequirement)
	post("/tenders/:id/requirements/:rid/move", tenderEdit, h.MoveRequirement)
	post("/tenders/:id/requirements/:rid/delete", tenderEdit, h.RemoveRequirement)
	post("/tenders/:id/profile", tenderEdit, h.ApplyProfile)
	post("/tenders/:id/publish", tenderEdit, h.PublishTender)
	post("/tenders/:id/amend", tenderEdit, h.AmendTender)

	get("/admin/orgs", adminOnly, h.ListOrgs)
	post("/admin/orgs", adminOnly, h.CreateOrg)
	get("/admin/users", adminOnly, h.ListUsers)
	post("/admin/users", adminOnly, h.CreateUser)
	post("/admin/users/:id/disabled", adminOnly, h.SetUserDisabled)
	post("/admin/users/:id/password", adminOnly, h.ResetPassword)

	attestRoutes(app, h)
	verifyRoutes(app, h)

	reportRoutes(app, h)

	// Everything else is a 404, rendered as a page or a JSON error in one place.
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
