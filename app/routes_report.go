package app

import (
	"github.com/gofiber/fiber/v2"

	"tenderprobe/handlers"
	"tenderprobe/models"
)

// Role sets of the report routes. A tender's report shows every vendor's
// answers, so vendors are kept out; officers only get their own org's
// tenders (the handler answers 404 for others). The annual report spans
// all buyers, so it is for auditors and admins.
var (
	tenderReportRoles = []string{models.RoleAdmin, models.RoleOfficer, models.RoleAuditor}
	annualReportRoles = []string{models.RoleAdmin, models.RoleAuditor}
)

// reportRoutes registers the report and export downloads on the API
// (bearer tokens) and the web UI (sessions). It runs inside routes, before
// the catch-all 404.
func reportRoutes(app *fiber.App, h *handlers.Handler) {
	api := app.Group("/api/v1")
	apiGet := func(path string, roles []string, handler fiber.Handler) {
		api.Get(path, h.APIAuth, handlers.RequireRole(roles...), handler)
	}
	apiGet("/tenders/:id/report.pdf", tenderReportRoles, h.DownloadTenderReport)
	apiGet("/tenders/:id/report.csv", tenderReportRoles, h.DownloadTenderCSV)
	apiGet("/tenders/:id/ocds.json", tenderReportRoles, h.DownloadTenderOCDS)
	apiGet("/reports/annual.pdf", annualReportRoles, h.DownloadAnnualReport)
	apiGet("/reports/annual.csv", annualReportRoles, h.DownloadAnnualCSV)

	webGet := func(path string, roles []string, handler fiber.Handler) {
		app.Get(path, h.RequireLogin, handlers.RequireRole(roles...), handler)
	}
	webGet("/tenders/:id/report.pdf", tenderReportRoles, h.DownloadTenderReport)
	webGet("/tenders/:id/report.csv", tenderReportRoles, h.DownloadTenderCSV)
	webGet("/tenders/:id/ocds.json", tenderReportRoles, h.DownloadTenderOCDS)
	webGet("/reports/annual.pdf", annualReportRoles, h.DownloadAnnualReport)
	webGet("/reports/annual.csv", annualReportRoles, h.DownloadAnnualCSV)
}
