package report

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"time"

	"tenderprobe/models"
)

// A published sheet never changes, so its DOCX is stored like its PDF
// (Stored, in the same table of documents that never change): once per
// hash of what it shows, its language and zone, the message texts and the
// DOCX layout version, as a version of the document "sheet-docx/<id>".

// sheetDOCXName names a tender's sheet DOCX among the stored documents.
func sheetDOCXName(tenderID uint) string { return fmt.Sprintf("sheet-docx/%d", tenderID) }

// SheetDOCXHash is the hash of what the DOCX of s shows in opt's language
// and zone, whatever the day it is rendered on.
func SheetDOCXHash(s Sheet, opt Options) string {
	h, _ := keyHasher(fmt.Sprintf("sheet-docx/%d", DOCXLayoutVersion), opt)
	h.Write(s.appendKey(make([]byte, 0, 4096)))
	return hex.EncodeToString(h.Sum(nil))
}

// SheetDOCXPlan plans t's requirement sheet as DOCX (t loaded by
// models.FindTender) in the tender's language and zone, rendered at now:
// stored once the tender is published, like the PDF (SheetPlan).
func SheetDOCXPlan(t *models.Tender, now time.Time) Plan {
	s := SheetOf(t, t.Language)
	opt := Options{Created: now, Lang: t.Language, Zone: ZoneOf(t)}
	p := Plan{name: sheetDOCXName(t.ID), created: now, render: func(buf *bytes.Buffer) error { return WriteSheetDOCX(buf, s, opt) }}
	if SheetStorable(t) {
		p.Hash = SheetDOCXHash(s, opt)
	}
	return p
}
