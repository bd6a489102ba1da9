package handlers

import (
	"net/url"
	"strings"

	"bytes"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/report"
	"tenderprobe/models"
)

// auditXLSXTypes type the audit CSV's columns that are not text in the
// spreadsheet: ids are numbers, the times date-times (at in UTC as its
// header says, at_local in the reader's zone, which its header names).
var auditXLSXTypes = map[string]report.CellType{
	"id": report.CellInt, "at": report.CellDateTime, "actor_id": report.CellInt, "object_id": report.CellInt,
	"tender_id": report.CellInt, "org_id": report.CellInt, "attestation_id": report.CellInt, "at_local": report.CellDateTime,
}

// sendAuditXLSX sends every entry of f as a spreadsheet: the audit CSV's
// columns (sendAuditCSV) with typed cells, in the reader's language.
func (h *Handler) sendAuditXLSX(c *fiber.Ctx, viewer *models.User, f models.AuditFilter) error {
	ctx := c.UserContext()
	entries, err := models.ListAudit(ctx, h.DB, viewer, f)
	if err != nil {
		return err
	}
	names, err := models.LoadAuditNames(ctx, h.DB, entries)
	if err != nil {
		return err
	}
	loc := localeOf(c)
	columns := xlsxColumns(loc.Lang, "audit.csv", auditCSVColumns, auditXLSXTypes)
	for i, name := range auditCSVColumns {
		switch name {
		case "at":
			columns[i].UTC = true
		case "at_local":
			columns[i].Header = messageIn(loc.Lang, "office.audit.at_local", map[string]any{"zone": loc.Zone.String()})
		}
	}
	b, err := report.NewWorkbook(loc.Zone)
	if err != nil {
		return err
	}
	defer b.Close()
	t, err := b.Table(messageIn(loc.Lang, "office.sheet.audit", nil), columns)
	if err != nil {
		return err
	}
	opt := func(p *uint) any {
		if p == nil {
			return nil
		}
		return *p
	}
	for _, r := range auditRows(loc, entries, names) {
		err := t.Row(r.ID, r.At, opt(r.ActorID), r.ActorEmail, r.ActorName, r.ActorRole,
			r.Action, r.ObjectType, r.ObjectID, opt(r.TenderID), opt(r.OrgID), opt(r.AttestationID),
			r.Before, r.After, r.ActionText, r.TenderTitle, r.OrgName, joinChanges(r.Changes),
			r.At, roleWords(loc.Lang, r.ActorRole))
		if err != nil {
			return err
		}
	}
	if err := t.Close(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return err
	}
	return sendDownload(c, report.XLSXContentType, "audit-log.xlsx", buf.Bytes())
}

func withFormatXLSX(v url.Values) string {
	v.Set("format", "xlsx")
	return v.Encode()
}

// joinChanges writes the changes of an entry as the CSV does.
func joinChanges(changes []string) string { return strings.Join(changes, "; ") }
