package handlers

import (
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/app/sbom"
	"tenderprobe/models"
)

// SBOMSettings connects the handlers to the OSV vulnerability export the
// operator loaded (--osv); a nil Vulns lists no vulnerabilities.
type SBOMSettings struct {
	Vulns *sbom.DB
}

// sbomPageSize is how many components one page of an SBOM lists.
const sbomPageSize = 100

// sbomMaxVulnerable caps the list of vulnerable components at the top of
// the page; the count says how many there are in all.
const sbomMaxVulnerable = 200

// sbomRow is one component on the SBOM page with its known vulnerabilities.
type sbomRow struct {
	Position int
	models.SBOMComponent
	Vulns []sbom.Vuln
}

// parseSBOM reads an upload that may be an SBOM (sbom.ReadUpload) into
// what the evidence store keeps, with its registered content type; other
// files give nil.
func parseSBOM(f io.ReadSeeker) (*models.SBOMData, string, error) {
	doc, err := sbom.ReadUpload(f, attest.MaxEvidenceSize)
	if doc == nil || err != nil {
		return nil, "", err
	}
	d := &models.SBOMData{Format: doc.Format, Components: make([]models.SBOMComponent, len(doc.Components))}
	for i, c := range doc.Components {
		d.Components[i] = models.SBOMComponent{Name: c.Name, Version: c.Version, PURL: c.PURL, Licence: c.Licence}
	}
	return d, sbom.ContentType(doc.Format), nil
}

// ShowSBOM lists the components of an SBOM uploaded as evidence, a page at
// a time, and, when an OSV export is loaded, the known vulnerabilities of
// the listed versions. Only people who may see the attestation see it.
func (h *Handler) ShowSBOM(c *fiber.Ctx) error {
	attID, err := paramID(c, "id")
	if err != nil {
		return err
	}
	eid, err := paramID(c, "evidence_id")
	if err != nil {
		return err
	}
	page, err := queryCount(c, "page")
	if err != nil {
		return err
	}
	ev, comps, err := models.FindSBOMFor(c.UserContext(), h.DB, currentUser(c), attID, eid)
	if err != nil {
		return err
	}
	list := make([]sbom.Component, len(comps))
	for i, comp := range comps {
		list[i] = sbom.Component{Name: comp.Name, Version: comp.Version, PURL: comp.PURL}
	}
	audit := h.SBOM.Vulns.Audit(list, sbomMaxVulnerable)
	rows := make([]sbomRow, len(comps))
	for i, comp := range comps {
		rows[i] = sbomRow{Position: i + 1, SBOMComponent: comp, Vulns: audit.Vulns[i]}
	}
	vulnerable := make([]sbomRow, len(audit.Vulnerable))
	for i, at := range audit.Vulnerable {
		vulnerable[i] = rows[at]
	}
	pages := max(1, (len(rows)+sbomPageSize-1)/sbomPageSize)
	page = min(max(page, 1), pages)
	from, to := (page-1)*sbomPageSize, min(page*sbomPageSize, len(rows))
	return h.render(c, fiber.StatusOK, "attestations/sbom", ev.FileName, fiber.Map{
		"AttestationID": attID,
		"Evidence":      ev,
		"Rows":          rows[from:to],
		"From":          from + 1,
		"To":            to,
		"Vulnerable":    vulnerable,
		"VulnCount":     audit.Components,
		"Advisories":    audit.Advisories,
		"OSVLoaded":     h.SBOM.Vulns != nil,
		"Paging":        models.Paging{Page: page, Pages: pages, Total: int64(len(rows))},
		"PageURL":       fmt.Sprintf("/attestations/%d/evidence/%d/sbom?page=", attID, eid),
	})
}
