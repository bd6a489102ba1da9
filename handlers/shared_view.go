package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/metrics"
	"tenderprobe/app/report"
	"tenderprobe/app/sharing"
	"tenderprobe/models"
)

// sharedView is a shared link opened by a visitor, with its kind and the
// view of its scope.
type sharedView struct {
	link *models.SharedLink
	kind sharing.Kind
	view sharing.View
}

// openShared answers a public link: the link is looked up by the hash of
// its token on every request, so a revoked or expired link (or one whose
// creator may no longer see its scope) is a 404 at once on every process;
// only the report data behind a live link is reused for a minute
// (sharing.Load). Answers are never cached by browsers or proxies, never
// indexed, and never pass the address on as a referrer.
func (h *Handler) openShared(c *fiber.Ctx) (sharedView, error) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex, nofollow")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	if q := c.Query("lang"); q != "" && messages.Supported(q) {
		c.Locals(localLocale, Locale{Lang: q, Zone: localeOf(c).Zone})
	}
	ctx, now := c.UserContext(), h.now()
	l, err := models.OpenSharedLink(ctx, h.DB, c.Params("token"), now)
	if errors.Is(err, models.ErrNotFound) {
		// The reader has no account: say what may have happened, in
		// their language, rather than a bare "not found".
		return sharedView{}, refuse(fiber.StatusNotFound, "shared.gone")
	}
	if err != nil {
		return sharedView{}, err
	}
	k, ok := sharing.Lookup(l.Kind)
	if !ok {
		return sharedView{}, refuse(fiber.StatusNotFound, "not_found")
	}
	if !sharing.Allow(h.DB, l.ID, now) {
		c.Set(fiber.HeaderRetryAfter, "10")
		return sharedView{}, refuse(fiber.StatusTooManyRequests, "shared.too_many")
	}
	v, err := sharing.Load(ctx, h.DB, k, sharing.ScopeOf(l), now)
	if err != nil {
		return sharedView{}, err
	}
	return sharedView{link: l, kind: k, view: v}, nil
}

// ShowShared is the public, read-only page of a shared link, in the
// visitor's language, with links to the same data as files.
func (h *Handler) ShowShared(c *fiber.Ctx) error {
	s, err := h.openShared(c)
	if err != nil {
		return err
	}
	loc := localeOf(c)
	base := "/shared/" + c.Params("token") + "/" + s.kind.Code
	data := fiber.Map{
		"Title":  tr(c, s.kind.TitleKey, map[string]any{"year": s.link.Year}),
		"Locale": loc, "Link": s.link, "View": s.view.Page(loc.Lang),
		"CSV": base + ".csv?lang=" + loc.Lang, "JSON": base + ".json", "PDF": base + ".pdf?lang=" + loc.Lang,
		"XLSX": base + ".xlsx?lang=" + loc.Lang, "Base": base, "Lang": loc.Lang,
		"Here": "/shared/" + c.Params("token"),
	}
	return c.Render(s.kind.Page, data, "layouts/shared")
}

// DownloadShared sends a shared link's data as a file: {kind}.csv,
// {kind}.json or {kind}.pdf. Any other name is a 404.
func (h *Handler) DownloadShared(c *fiber.Ctx) error {
	name, ext, ok := strings.Cut(c.Params("file"), ".")
	if !ok || !slices.Contains(sharing.Formats, ext) {
		return refuse(fiber.StatusNotFound, "not_found")
	}
	s, err := h.openShared(c)
	if err != nil {
		return err
	}
	loc := localeOf(c)
	if name != s.kind.Code {
		// A further table of the view (monitor-standards.csv).
		t, ok := s.view.(sharing.Tables)
		if !ok || ext != "csv" {
			return refuse(fiber.StatusNotFound, "not_found")
		}
		table, ok := t.Table(name)
		if !ok {
			return refuse(fiber.StatusNotFound, "not_found")
		}
		var buf bytes.Buffer
		if err := t.WriteTableCSV(&buf, table, loc.Lang); err != nil {
			return err
		}
		return sendDownload(c, "text/csv; charset=utf-8", fmt.Sprintf("%s-%d.csv", name, s.link.Year), buf.Bytes())
	}
	file := fmt.Sprintf("%s-%d", s.kind.Code, s.link.Year)
	switch ext {
	case "csv":
		var buf bytes.Buffer
		if err := s.view.WriteCSV(&buf, loc.Lang); err != nil {
			return err
		}
		return sendDownload(c, "text/csv; charset=utf-8", file+".csv", buf.Bytes())
	case "xlsx":
		wb, ok := s.view.(sharing.Workbook)
		if !ok {
			return refuse(fiber.StatusNotFound, "not_found")
		}
		var buf bytes.Buffer
		if err := wb.WriteXLSX(&buf, loc.Lang); err != nil {
			return err
		}
		return sendDownload(c, report.XLSXContentType, file+".xlsx", buf.Bytes())
	case "json":
		body, err := json.Marshal(s.view.JSON())
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
		return c.Send(body)
	}
	p, ok := s.view.PDF(report.Options{Created: h.now(), Lang: loc.Lang, Zone: loc.Zone})
	if !ok {
		return refuse(fiber.StatusNotFound, "not_found")
	}
	if err := h.sendPDF(c, metrics.PDFAnnual, p, file+".pdf"); err != nil {
		return err
	}
	// sendPDF marks a stored PDF cacheable by the reader; a link can be
	// revoked at any moment, so nothing of it is kept.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return nil
}
