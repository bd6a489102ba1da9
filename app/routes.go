package app

import (
	"cmp"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/handlers"
	"tenderprobe/models"
)

// Who may call a route. Every route names its roles; the models check
// again which objects (tender, attestation, run) the caller may touch.
var (
	anyRole     = []string{models.RoleAdmin, models.RoleOfficer, models.RoleVendor, models.RoleAuditor}
	adminOnly   = []string{models.RoleAdmin}
	tenderEdit  = []string{models.RoleAdmin, models.RoleOfficer}
	vendorOnly  = []string{models.RoleVendor}
	staffRoles  = []string{models.RoleAdmin, models.RoleOfficer, models.RoleAuditor}
	auditRoles  = []string{models.RoleAdmin, models.RoleAuditor}
	reviewRoles = []string{models.RoleAdmin, models.RoleOfficer}
	// A tender's report shows every vendor's answers, so vendors are kept
	// out; the annual report spans all buyers, so it is for auditors.
	tenderReportRoles = []string{models.RoleAdmin, models.RoleOfficer, models.RoleAuditor}
	annualReportRoles = []string{models.RoleAdmin, models.RoleAuditor}
	// Shared links publish a report view of the creator's scope: every
	// buyer for admins and auditors, the own organisation for an officer
	// (models.SharingScope). Vendors share nothing.
	sharingRoles = []string{models.RoleAdmin, models.RoleOfficer, models.RoleAuditor}
)

// access is how a route's caller is identified.
type access int

const (
	// open routes need nobody: health, the API description, the token
	// exchange (which checks a password itself).
	open access = iota
	// visitor routes are web pages for people not logged in (login, an
	// invitation link): a session if there is one, and CSRF on POST.
	visitor
	// web routes need a login session and, on POST, the CSRF token.
	web
	// api routes need an API bearer token.
	api
	// scrape routes (GET /metrics) need the metrics token or an admin's
	// session, and exist only while metrics are on.
	scrape
)

// route is one row of the route table.
type route struct {
	method string
	path   string
	access access
	// roles may call the route; nil only for open and visitor routes.
	roles  []string
	handle fiber.Handler
	// upload routes accept an evidence file up to
	// handlers.UploadBodyLimit, read only after the caller is authorised
	// for the attestation; every other route accepts cfg.BodyLimit.
	upload bool
	// uploadGuard, on an upload route whose file is not an attestation's
	// (a standing answer's), replaces RequireUploader as the check made
	// on the headers before the body is read.
	uploadGuard fiber.Handler
	// document routes accept a tender document up to
	// handlers.DocumentBodyLimit, read only after the caller's role is
	// checked.
	document bool
	// enrolment routes stay open to an officer or admin who must enrol a
	// second factor and has not yet (handlers.RequireEnrolment): the
	// account page and the steps of enrolment. Every other web and API
	// route waits until they have.
	enrolment bool
}

// routeTable lists every route of the app, grouped by area. The role and
// bad-input tests are generated from it, so a new route cannot miss them.
func routeTable(h *handlers.Handler) []route {
	get, post := fiber.MethodGet, fiber.MethodPost
	return []route{
		// Health and the API's entry points, open to everyone.
		{method: get, path: "/healthz", access: open, handle: h.Health},
		{method: get, path: "/api/v1/openapi.json", access: open, handle: h.APIOpenAPI},
		{method: post, path: "/api/v1/tokens", access: open, handle: h.APICreateToken},

		// Logging in and out, and invitation links (before a password exists).
		{method: get, path: "/login", access: visitor, handle: h.ShowLogin},
		{method: post, path: "/login", access: visitor, handle: h.SubmitLogin},
		{method: get, path: "/login/code", access: visitor, handle: h.ShowLoginCode},
		{method: post, path: "/login/code", access: visitor, handle: h.SubmitLoginCode},
		{method: post, path: "/logout", access: web, roles: anyRole, handle: h.Logout, enrolment: true},
		{method: get, path: "/invitations/:token", access: visitor, handle: h.ShowInvitation},
		{method: post, path: "/invitations/:token", access: visitor, handle: h.AcceptInvitation},

		// Single sign-on: off to the organisation's identity provider and
		// back (the callback is a GET, guarded by the single-use state).
		{method: post, path: "/sso/start", access: visitor, handle: h.StartSSO},
		{method: get, path: "/sso/callback", access: visitor, handle: h.SSOCallback},

		// The language switch of every page, signed in or not.
		{method: post, path: "/language", access: visitor, handle: h.SwitchLanguage},

		// Your account: language, time zone and API tokens. Each user sees
		// and changes only their own.
		{method: get, path: "/account", access: web, roles: anyRole, handle: h.ShowAccount, enrolment: true},
		{method: post, path: "/account/preferences", access: web, roles: anyRole, handle: h.SaveAccountPreferences, enrolment: true},
		{method: get, path: "/account/tokens", access: web, roles: anyRole, handle: h.ListAccountTokens},
		{method: post, path: "/account/tokens/:id/revoke", access: web, roles: anyRole, handle: h.RevokeAccountToken},
		{method: get, path: "/api/v1/tokens", access: api, roles: anyRole, handle: h.APIListTokens},
		{method: fiber.MethodDelete, path: "/api/v1/tokens/:id", access: api, roles: anyRole, handle: h.APIRevokeToken},

		// Your account: the second factor (TOTP) and the sessions. Each
		// user sees and ends only their own sessions.
		{method: post, path: "/account/totp", access: web, roles: anyRole, handle: h.StartTOTP, enrolment: true},
		{method: get, path: "/account/totp/qr.png", access: web, roles: anyRole, handle: h.TOTPQRCode, enrolment: true},
		{method: post, path: "/account/totp/confirm", access: web, roles: anyRole, handle: h.ConfirmTOTP, enrolment: true},
		{method: post, path: "/account/totp/disable", access: web, roles: anyRole, handle: h.DisableTOTP},
		{method: post, path: "/api/v1/account/totp", access: api, roles: anyRole, handle: h.APIStartTOTP, enrolment: true},
		{method: post, path: "/api/v1/account/totp/confirm", access: api, roles: anyRole, handle: h.APIConfirmTOTP, enrolment: true},
		{method: get, path: "/account/sessions", access: web, roles: anyRole, handle: h.ListAccountSessions},
		{method: post, path: "/account/sessions/:sid/end", access: web, roles: anyRole, handle: h.EndAccountSession},
		// Passkeys: registered and removed on the account page, and a
		// sign-in with one instead of the password and the code.
		{method: post, path: "/account/passkeys/options", access: web, roles: anyRole, handle: h.PasskeyRegisterOptions, enrolment: true},
		{method: post, path: "/account/passkeys", access: web, roles: anyRole, handle: h.AddPasskey, enrolment: true},
		{method: post, path: "/account/passkeys/:id/remove", access: web, roles: anyRole, handle: h.RemovePasskey},
		{method: post, path: "/login/passkey/options", access: visitor, handle: h.PasskeyLoginOptions},
		{method: post, path: "/login/passkey", access: visitor, handle: h.SubmitPasskeyLogin},

		// Dashboard and the standards catalogue.
		{method: get, path: "/", access: web, roles: anyRole, handle: h.Dashboard},
		{method: get, path: "/catalogue", access: web, roles: anyRole, handle: h.ListCatalogue},
		{method: get, path: "/catalogue/export", access: web, roles: anyRole, handle: h.ExportCatalogue},
		{method: get, path: "/catalogue/import", access: web, roles: adminOnly, handle: h.ShowCatalogueImport},
		{method: post, path: "/catalogue/import", access: web, roles: adminOnly, handle: h.ImportCatalogue},
		{method: get, path: "/catalogue/:slug", access: web, roles: anyRole, handle: h.ShowStandard},
		{method: get, path: "/api/v1/standards", access: api, roles: anyRole, handle: h.APIListStandards},

		// Tenders and their requirement sheets.
		{method: get, path: "/tenders", access: web, roles: anyRole, handle: h.ListTenders},
		{method: get, path: "/tenders/new", access: web, roles: tenderEdit, handle: h.NewTender},
		{method: post, path: "/tenders", access: web, roles: tenderEdit, handle: h.CreateTender},
		{method: get, path: "/tenders/:id", access: web, roles: anyRole, handle: h.ShowTender},
		{method: get, path: "/tenders/:id/sheet.pdf", access: web, roles: anyRole, handle: h.DownloadSheet},
		{method: get, path: "/tenders/:id/sheet.docx", access: web, roles: anyRole, handle: h.DownloadSheetDOCX},
		{method: get, path: "/tenders/:id/edit", access: web, roles: tenderEdit, handle: h.EditTender},
		{method: post, path: "/tenders/:id", access: web, roles: tenderEdit, handle: h.UpdateTender},
		{method: post, path: "/tenders/:id/requirements", access: web, roles: tenderEdit, handle: h.AddRequirement},
		{method: post, path: "/tenders/:id/requirements/batch", access: web, roles: tenderEdit, handle: h.AddRequirements},
		{method: post, path: "/tenders/:id/requirements/:rid", access: web, roles: tenderEdit, handle: h.UpdateRequirement},
		{method: post, path: "/tenders/:id/requirements/:rid/move", access: web, roles: tenderEdit, handle: h.MoveRequirement},
		{method: post, path: "/tenders/:id/requirements/:rid/delete", access: web, roles: tenderEdit, handle: h.RemoveRequirement},
		{method: get, path: "/tenders/:id/profile", access: web, roles: tenderEdit, handle: h.PreviewProfile},
		{method: post, path: "/tenders/:id/profile", access: web, roles: tenderEdit, handle: h.ApplyProfile},
		{method: post, path: "/tenders/:id/publish", access: web, roles: tenderEdit, handle: h.PublishTender},
		{method: post, path: "/tenders/:id/amend", access: web, roles: tenderEdit, handle: h.AmendTender},
		{method: get, path: "/api/v1/tenders", access: api, roles: anyRole, handle: h.APIListTenders},
		{method: post, path: "/api/v1/tenders", access: api, roles: tenderEdit, handle: h.APICreateTender},
		{method: get, path: "/api/v1/tenders/:id", access: api, roles: anyRole, handle: h.APIShowTender},
		{method: post, path: "/api/v1/tenders/:id/requirements", access: api, roles: tenderEdit, handle: h.APIAddRequirement},
		{method: post, path: "/api/v1/tenders/:id/publish", access: api, roles: tenderEdit, handle: h.APIPublishTender},
		{method: get, path: "/api/v1/tenders/:id/sheet.pdf", access: api, roles: anyRole, handle: h.DownloadSheet},
		{method: get, path: "/api/v1/tenders/:id/sheet.docx", access: api, roles: anyRole, handle: h.DownloadSheetDOCX},

		// Tender documents: which standards an uploaded document (or a
		// tender built here) requests and which relevant ones it misses.
		// Officers see their own organisation's analyses (the models check).
		{method: get, path: "/tender-documents", access: web, roles: staffRoles, handle: h.ListTenderDocuments},
		{method: post, path: "/tender-documents", access: web, roles: staffRoles, handle: h.AnalyseTenderDocument, document: true},
		{method: get, path: "/tender-documents/:id", access: web, roles: staffRoles, handle: h.ShowTenderDocument},
		{method: post, path: "/tender-documents/:id/tender", access: web, roles: tenderEdit, handle: h.StartTenderFromDocument},
		{method: get, path: "/tenders/:id/analysis", access: web, roles: staffRoles, handle: h.ShowTenderAnalysis},
		{method: post, path: "/api/v1/tender-documents", access: api, roles: staffRoles, handle: h.APIAnalyseTenderDocument, document: true},
		{method: get, path: "/api/v1/tender-documents/:id", access: api, roles: staffRoles, handle: h.APIShowTenderDocument},
		// Mailing an analysis's result to the tender's contact, after a
		// preview: whoever may see the analysis (models.MayMailAnalyses).
		{method: get, path: "/tender-documents/:id/mail", access: web, roles: staffRoles, handle: h.PreviewDocumentMail},
		{method: post, path: "/tender-documents/:id/mail", access: web, roles: staffRoles, handle: h.SendDocumentMail},
		{method: get, path: "/tenders/:id/analysis/mail", access: web, roles: staffRoles, handle: h.PreviewTenderMail},
		{method: post, path: "/tenders/:id/analysis/mail", access: web, roles: staffRoles, handle: h.SendTenderMail},
		{method: get, path: "/api/v1/tender-documents/:id/mail-preview", access: api, roles: staffRoles, handle: h.APIPreviewDocumentMail},
		{method: post, path: "/api/v1/tender-documents/:id/mail", access: api, roles: staffRoles, handle: h.APISendDocumentMail},
		{method: get, path: "/api/v1/tenders/:id/analysis/mail-preview", access: api, roles: staffRoles, handle: h.APIPreviewTenderMail},
		{method: post, path: "/api/v1/tenders/:id/analysis/mail", access: api, roles: staffRoles, handle: h.APISendTenderMail},

		// Invitations of suppliers to a tender.
		{method: get, path: "/tenders/:id/invitations", access: web, roles: reviewRoles, handle: h.ListInvitations},
		{method: post, path: "/tenders/:id/invitations", access: web, roles: reviewRoles, handle: h.CreateInvitation},
		{method: post, path: "/tenders/:id/invitations/:iid/revoke", access: web, roles: reviewRoles, handle: h.RevokeInvitation},
		{method: post, path: "/api/v1/tenders/:id/invitations", access: api, roles: tenderEdit, handle: h.APICreateInvitation},

		// A supplier's own page: its vendors see their colleagues and invite
		// one into the supplier (admins add people on the admin pages).
		{method: get, path: "/supplier", access: web, roles: vendorOnly, handle: h.ShowSupplier},
		{method: post, path: "/supplier/invitations", access: web, roles: vendorOnly, handle: h.InviteColleague},
		// The supplier's answer library: standing answers per standard,
		// suggested on its attestations.
		{method: get, path: "/supplier/answers", access: web, roles: vendorOnly, handle: h.ShowStandingAnswers},
		{method: post, path: "/supplier/answers", access: web, roles: vendorOnly, handle: h.SaveStandingAnswer, upload: true, uploadGuard: h.RequireLibraryUploader},
		{method: post, path: "/supplier/answers/:standing_id/delete", access: web, roles: vendorOnly, handle: h.RemoveStandingAnswer},
		{method: get, path: "/supplier/answers/:standing_id/evidence/:evidence_id", access: web, roles: vendorOnly, handle: h.DownloadStandingEvidence},

		// Attestations: a vendor's answers, scope, evidence and submission.
		{method: get, path: "/attestations", access: web, roles: anyRole, handle: h.ListAttestations},
		{method: get, path: "/attestations/:id", access: web, roles: anyRole, handle: h.ShowAttestation},
		{method: get, path: "/tenders/:id/attestation", access: web, roles: vendorOnly, handle: h.ShowTenderAttestation},
		{method: get, path: "/attestations/:id/versions/:version", access: web, roles: anyRole, handle: h.ShowAttestationVersion},
		{method: get, path: "/attestations/:id/receipt", access: web, roles: anyRole, handle: h.VerifyReceipt},
		{method: get, path: "/attestations/:id/receipt.json", access: web, roles: anyRole, handle: h.DownloadReceipt},
		{method: post, path: "/attestations/:id/answers", access: web, roles: vendorOnly, handle: h.SaveAllAnswers, upload: true},
		{method: post, path: "/attestations/:id/answers/:requirement_id", access: web, roles: vendorOnly, handle: h.SaveAnswer},
		{method: post, path: "/attestations/:id/scope", access: web, roles: vendorOnly, handle: h.SaveScope},
		{method: post, path: "/attestations/:id/evidence/:requirement_id", access: web, roles: vendorOnly, handle: h.UploadEvidence, upload: true},
		{method: get, path: "/attestations/:id/evidence/:evidence_id", access: web, roles: anyRole, handle: h.DownloadEvidence},
		{method: get, path: "/attestations/:id/evidence/:evidence_id/sbom", access: web, roles: anyRole, handle: h.ShowSBOM},
		{method: post, path: "/attestations/:id/evidence/:evidence_id/delete", access: web, roles: vendorOnly, handle: h.RemoveEvidence},
		{method: post, path: "/attestations/:id/submit", access: web, roles: vendorOnly, handle: h.SubmitAttestation},
		{method: post, path: "/attestations/:id/reopen", access: web, roles: vendorOnly, handle: h.ReopenAttestation},
		{method: get, path: "/api/v1/attestations", access: api, roles: anyRole, handle: h.APIListAttestations},
		{method: get, path: "/api/v1/attestations/:id", access: api, roles: anyRole, handle: h.APIShowAttestation},
		{method: fiber.MethodPut, path: "/api/v1/attestations/:id/scope", access: api, roles: vendorOnly, handle: h.APISaveScope},
		{method: fiber.MethodPut, path: "/api/v1/attestations/:id/answers/:requirement_id", access: api, roles: vendorOnly, handle: h.APISaveAnswer},
		{method: post, path: "/api/v1/attestations/:id/evidence/:requirement_id", access: api, roles: vendorOnly, handle: h.APIUploadEvidence, upload: true},
		{method: get, path: "/api/v1/attestations/:id/evidence-files/:evidence_id", access: api, roles: anyRole, handle: h.DownloadEvidence},
		{method: post, path: "/api/v1/attestations/:id/submit", access: api, roles: vendorOnly, handle: h.APISubmitAttestation},
		{method: post, path: "/api/v1/attestations/:id/reopen", access: api, roles: vendorOnly, handle: h.APIReopenAttestation},
		{method: get, path: "/api/v1/attestations/:id/receipt", access: api, roles: anyRole, handle: h.APIVerifyReceipt},
		// The answer library: earlier answers of the same supplier offered
		// per requirement, and reusing one into the draft.
		{method: get, path: "/api/v1/attestations/:id/suggestions", access: api, roles: vendorOnly, handle: h.APISuggestions},
		{method: post, path: "/api/v1/attestations/:id/suggestions/:requirement_id/reuse", access: api, roles: vendorOnly, handle: h.APIReuseSuggestion},

		// Review: the officer's matrix, accept or clarify, the vendor's reply.
		{method: get, path: "/tenders/:id/review", access: web, roles: staffRoles, handle: h.ShowReviewMatrix},
		{method: get, path: "/tenders/:id/review.csv", access: web, roles: staffRoles, handle: h.ExportReviewMatrix},
		{method: get, path: "/tenders/:id/review.xlsx", access: web, roles: staffRoles, handle: h.ExportReviewMatrixXLSX},
		{method: get, path: "/api/v1/tenders/:id/review.csv", access: api, roles: staffRoles, handle: h.ExportReviewMatrix},
		{method: get, path: "/api/v1/tenders/:id/review.xlsx", access: api, roles: staffRoles, handle: h.ExportReviewMatrixXLSX},
		{method: post, path: "/tenders/:id/review/accept", access: web, roles: reviewRoles, handle: h.AcceptFromMatrix},
		{method: post, path: "/tenders/:id/review/accept-confirmed", access: web, roles: reviewRoles, handle: h.BulkAcceptConfirmed},
		{method: post, path: "/api/v1/tenders/:id/review/accept-confirmed", access: api, roles: reviewRoles, handle: h.APIBulkAcceptConfirmed},
		{method: post, path: "/attestations/:id/answers/:requirement_id/review", access: web, roles: reviewRoles, handle: h.ReviewAnswer},
		{method: post, path: "/attestations/:id/answers/:requirement_id/reply", access: web, roles: vendorOnly, handle: h.ReplyToReview},
		{method: post, path: "/attestations/:id/answers/:requirement_id/amend", access: web, roles: vendorOnly, handle: h.AmendAnswer},
		{method: get, path: "/api/v1/tenders/:id/matrix", access: api, roles: staffRoles, handle: h.APIReviewMatrix},
		{method: post, path: "/api/v1/attestations/:id/answers/:requirement_id/review", access: api, roles: reviewRoles, handle: h.APIReviewAnswer},
		{method: post, path: "/api/v1/attestations/:id/answers/:requirement_id/reply", access: api, roles: vendorOnly, handle: h.APIReplyToReview},

		// Verification: asking for a probe run, its progress and evidence.
		// Among officers only those of the buying org may ask (the models check).
		{method: post, path: "/attestations/:id/verify", access: web, roles: tenderEdit, handle: h.VerifyAttestation},
		{method: get, path: "/attestations/:id/verification", access: web, roles: anyRole, handle: h.ShowVerification},
		{method: get, path: "/probe-runs/:id", access: web, roles: anyRole, handle: h.ShowProbeRun},
		{method: get, path: "/probe-runs/:id/status", access: web, roles: anyRole, handle: h.ProbeRunStatus},
		{method: post, path: "/api/v1/attestations/:id/verify", access: api, roles: tenderEdit, handle: h.APIVerifyAttestation},
		{method: get, path: "/api/v1/probe-runs/:id", access: api, roles: anyRole, handle: h.APIShowProbeRun},
		// The vendor's self-check before submitting (issue 17 item 5).
		{method: post, path: "/attestations/:id/self-check", access: web, roles: vendorOnly, handle: h.StartSelfCheck},
		{method: post, path: "/api/v1/attestations/:id/self-check", access: api, roles: vendorOnly, handle: h.APIStartSelfCheck},

		// Reports and exports; officers get only their own org's tenders.
		{method: get, path: "/tenders/:id/report.pdf", access: web, roles: tenderReportRoles, handle: h.DownloadTenderReport},
		{method: get, path: "/tenders/:id/report.csv", access: web, roles: tenderReportRoles, handle: h.DownloadTenderCSV},
		{method: get, path: "/tenders/:id/ocds.json", access: web, roles: tenderReportRoles, handle: h.DownloadTenderOCDS},
		{method: get, path: "/reports/annual.pdf", access: web, roles: annualReportRoles, handle: h.DownloadAnnualReport},
		{method: get, path: "/reports/annual.csv", access: web, roles: annualReportRoles, handle: h.DownloadAnnualCSV},
		{method: get, path: "/reports/annual-explanations.csv", access: web, roles: annualReportRoles, handle: h.DownloadAnnualExplanationsCSV},
		// Spreadsheets of the same tables: the tender matrix, and the annual
		// table with every explanation, a sheet each.
		{method: get, path: "/tenders/:id/report.xlsx", access: web, roles: tenderReportRoles, handle: h.DownloadTenderXLSX},
		{method: get, path: "/reports/annual.xlsx", access: web, roles: annualReportRoles, handle: h.DownloadAnnualXLSX},
		{method: get, path: "/api/v1/tenders/:id/report.pdf", access: api, roles: tenderReportRoles, handle: h.DownloadTenderReport},
		{method: get, path: "/api/v1/tenders/:id/report.csv", access: api, roles: tenderReportRoles, handle: h.DownloadTenderCSV},
		{method: get, path: "/api/v1/tenders/:id/ocds.json", access: api, roles: tenderReportRoles, handle: h.DownloadTenderOCDS},
		{method: get, path: "/api/v1/reports/annual.pdf", access: api, roles: annualReportRoles, handle: h.DownloadAnnualReport},
		{method: get, path: "/api/v1/reports/annual.csv", access: api, roles: annualReportRoles, handle: h.DownloadAnnualCSV},
		{method: get, path: "/api/v1/reports/annual-explanations.csv", access: api, roles: annualReportRoles, handle: h.DownloadAnnualExplanationsCSV},
		{method: get, path: "/api/v1/tenders/:id/report.xlsx", access: api, roles: tenderReportRoles, handle: h.DownloadTenderXLSX},
		{method: get, path: "/api/v1/reports/annual.xlsx", access: api, roles: annualReportRoles, handle: h.DownloadAnnualXLSX},

		// Shared links: their management, and the public, read-only views
		// behind them (the token is the only key; nothing changes on GET
		// but the link's last-opened time).
		{method: get, path: "/shared-links", access: web, roles: sharingRoles, handle: h.ListSharedLinks},
		{method: post, path: "/shared-links", access: web, roles: sharingRoles, handle: h.CreateSharedLink},
		{method: post, path: "/shared-links/:id/revoke", access: web, roles: sharingRoles, handle: h.RevokeSharedLink},
		{method: get, path: "/api/v1/shared-links", access: api, roles: sharingRoles, handle: h.APIListSharedLinks},
		{method: post, path: "/api/v1/shared-links", access: api, roles: sharingRoles, handle: h.APICreateSharedLink},
		{method: fiber.MethodDelete, path: "/api/v1/shared-links/:id", access: api, roles: sharingRoles, handle: h.APIRevokeSharedLink},
		{method: get, path: "/shared/:token", access: open, handle: h.ShowShared},
		{method: get, path: "/shared/:token/:file", access: open, handle: h.DownloadShared},

		// The monitor of comply-or-explain: per year, which relevant
		// standards the buyers' tenders requested. Officers read their own
		// organisation (the models check), auditors and admins any buyer.
		{method: get, path: "/monitor", access: web, roles: staffRoles, handle: h.ShowMonitor},
		{method: get, path: "/monitor.pdf", access: web, roles: staffRoles, handle: h.DownloadMonitorPDF},
		{method: get, path: "/monitor/tenders.csv", access: web, roles: staffRoles, handle: h.DownloadMonitorCSV("tenders")},
		{method: get, path: "/monitor/standards.csv", access: web, roles: staffRoles, handle: h.DownloadMonitorCSV("standards")},
		{method: get, path: "/monitor/explanations.csv", access: web, roles: staffRoles, handle: h.DownloadMonitorCSV("explanations")},
		{method: get, path: "/monitor.xlsx", access: web, roles: staffRoles, handle: h.DownloadMonitorXLSX},
		{method: get, path: "/tenders/:id/monitor", access: web, roles: staffRoles, handle: h.ShowTenderMonitor},
		{method: post, path: "/tenders/:id/monitor/kinds", access: web, roles: tenderEdit, handle: h.SaveTenderKinds},
		{method: post, path: "/tenders/:id/monitor/omissions", access: web, roles: tenderEdit, handle: h.SaveTenderOmissions},
		{method: get, path: "/api/v1/monitor", access: api, roles: staffRoles, handle: h.APIMonitor},
		{method: get, path: "/api/v1/monitor.xlsx", access: api, roles: staffRoles, handle: h.DownloadMonitorXLSX},

		// The audit log.
		{method: get, path: "/audit", access: web, roles: auditRoles, handle: h.ListAuditLog},
		{method: get, path: "/api/v1/audit", access: api, roles: auditRoles, handle: h.APIListAuditLog},

		// The Prometheus metrics, for the admins and the configured scraper.
		{method: get, path: "/metrics", access: scrape, roles: adminOnly, handle: h.ShowMetrics},

		// Administration of organisations and users.
		{method: get, path: "/admin/orgs", access: web, roles: adminOnly, handle: h.ListOrgs},
		{method: post, path: "/admin/orgs", access: web, roles: adminOnly, handle: h.CreateOrg},
		{method: post, path: "/admin/orgs/:id", access: web, roles: adminOnly, handle: h.RenameOrg},
		{method: post, path: "/admin/orgs/:id/second-factor", access: web, roles: adminOnly, handle: h.SetOrgSecondFactor},
		{method: get, path: "/admin/sso", access: web, roles: adminOnly, handle: h.ListSSOProviders},
		{method: post, path: "/admin/sso", access: web, roles: adminOnly, handle: h.SaveSSOProvider},
		{method: post, path: "/admin/sso/:id/delete", access: web, roles: adminOnly, handle: h.DeleteSSOProvider},
		{method: get, path: "/admin/users", access: web, roles: adminOnly, handle: h.ListUsers},
		{method: post, path: "/admin/users", access: web, roles: adminOnly, handle: h.CreateUser},
		{method: post, path: "/admin/users/:id/disabled", access: web, roles: adminOnly, handle: h.SetUserDisabled},
		{method: post, path: "/admin/users/:id/password", access: web, roles: adminOnly, handle: h.ResetPassword},
		{method: post, path: "/admin/users/:id/sessions/end", access: web, roles: adminOnly, handle: h.EndUserSessions},
		{method: post, path: "/admin/users/:id/second-factor/reset", access: web, roles: adminOnly, handle: h.ResetUserSecondFactor},
	}
}

// chain is the handler chain of r: the body limit first (after the
// caller's authorisation on upload routes), then identification, the
// role check, CSRF and the handler.
func (r route) chain(h *handlers.Handler, bodyLimit int) []fiber.Handler {
	limit := h.LimitBody(bodyLimit, false)
	var out []fiber.Handler
	switch r.access {
	case open:
		out = []fiber.Handler{limit}
	case visitor:
		out = []fiber.Handler{limit, h.LoadSession, h.CSRF}
	case web:
		if r.upload {
			// The CSRF token travels in the multipart body, so it is checked
			// after the body, which is read only for an authorised vendor.
			out = []fiber.Handler{h.LoadSession, h.RequireLogin, handlers.RequireRole(r.roles...), h.RequireEnrolment, r.guard(h),
				h.LimitBody(handlers.UploadBodyLimit, true), h.CSRF}
		} else if r.document {
			out = []fiber.Handler{h.LoadSession, h.RequireLogin, handlers.RequireRole(r.roles...), h.RequireEnrolment,
				h.LimitBody(handlers.DocumentBodyLimit, true), h.CSRF}
		} else {
			// Login before CSRF: a form or a script's save sent after the
			// session ended is told so (401, "log in again"), not that the
			// form expired; without a session nothing can change anyway.
			out = []fiber.Handler{limit, h.LoadSession, h.RequireLogin, handlers.RequireRole(r.roles...), h.CSRF}
			if !r.enrolment {
				out = append(out, h.RequireEnrolment)
			}
		}
	case scrape:
		out = []fiber.Handler{limit, h.MetricsAccess}
	case api:
		if r.upload {
			out = []fiber.Handler{h.APIAuth, handlers.RequireRole(r.roles...), h.RequireEnrolment, r.guard(h), h.LimitBody(handlers.UploadBodyLimit, true)}
		} else if r.document {
			out = []fiber.Handler{h.APIAuth, handlers.RequireRole(r.roles...), h.RequireEnrolment, h.LimitBody(handlers.DocumentBodyLimit, true)}
		} else {
			out = []fiber.Handler{limit, h.APIAuth, handlers.RequireRole(r.roles...)}
			if !r.enrolment {
				out = append(out, h.RequireEnrolment)
			}
		}
	}
	return append(out, r.handle)
}

// guard is the check of an upload route before its body is read.
func (r route) guard(h *handlers.Handler) fiber.Handler {
	if r.uploadGuard != nil {
		return r.uploadGuard
	}
	return h.RequireUploader
}

// routes registers the route table. Fiber matches routes in the order they
// are added, so they are added most specific first (a literal segment
// before a parameter at the same place): the table's own order never
// decides which handler answers. The scrape route exists only while
// metrics are on, so that otherwise /metrics is a 404 like any unknown
// path. With rm, each route is labelled by its pattern in the request
// metrics.
func routes(app *fiber.App, h *handlers.Handler, bodyLimit int, rm *requestMetrics) {
	table := routeTable(h)
	slices.SortStableFunc(table, func(a, b route) int { return comparePaths(a.path, b.path) })
	before := rm.snapshot(app)
	for _, r := range table {
		if r.access == scrape && h.Metrics.Serve == nil {
			continue
		}
		app.Add(r.method, r.path, r.chain(h, bodyLimit)...)
	}
	rm.label(app, before, "")
	// Everything else is a 404, rendered as a page or a JSON error in one
	// place. A page knows its signed-in reader first: their language, zone
	// and menu, as on any other page.
	notFound := func(c *fiber.Ctx) error { return fiber.ErrNotFound }
	app.Use(func(c *fiber.Ctx) error {
		if strings.HasPrefix(c.Path(), "/api/") {
			return fiber.ErrNotFound
		}
		return c.Next()
	}, h.LoadSession, notFound)
}

// comparePaths orders route paths segment by segment, a literal segment
// before a parameter.
func comparePaths(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := range min(len(as), len(bs)) {
		ap, bp := strings.HasPrefix(as[i], ":"), strings.HasPrefix(bs[i], ":")
		if ap != bp {
			if ap {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(as[i], bs[i]); c != 0 && !ap {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}
