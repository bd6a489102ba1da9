package handlers

import (
	"errors"
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

// parseSBOM recognises an uploaded file that claims to be an SBOM by its
// first bytes (sbom.DetectHead) and only then reads it whole and parses
// it, so other files are streamed to disk and never held in memory.
// Other files give nil and no error; an SBOM that does not parse gives a
// *sbom.ParseError (refused with the reason).
func parseSBOM(f io.ReadSeeker) (*models.SBOMData, string, error) {
	head := make([]byte, sbom.DetectHead)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, "", fmt.Errorf("handlers: read upload: %w", err)
	}
	if sbom.Detect(head[:n]) == "" {
		return nil, "", nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, "", fmt.Errorf("handlers: rewind upload: %w", err)
	}
	content, err := io.ReadAll(io.LimitReader(f, attest.MaxEvidenceSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("handlers: read upload: %w", err)
	}
	doc, err := sbom.Parse(content)
	var pe *sbom.ParseError
	if errors.As(err, &pe) && pe.Reason == sbom.ReasonNotRecognised {
		// The first bytes named a format the whole document does not
		// declare after all: plain evidence.
		return nil, "", nil
	}
	if err != nil {
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
	rows := make([]sbomRow, len(comps))
	var vulnerable []sbomRow
	advisories, vulnCount := 0, 0
	for i, comp := range comps {
		rows[i] = sbomRow{Position: i + 1, SBOMComponent: comp}
		if h.SBOM.Vulns != nil {
			rows[i].Vulns = h.SBOM.Vulns.For(sbom.Component{Name: comp.Name, Version: comp.Version, PURL: comp.PURL})
		}
		if len(rows[i].Vulns) > 0 {
			vulnCount++
			advisories += len(rows[i].Vulns)
			if len(vulnerable) < sbomMaxVulnerable {
				vulnerable = append(vulnerable, rows[i])
			}
		}
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
		"VulnCount":     vulnCount,
		"Advisories":    advisories,
		"OSVLoaded":     h.SBOM.Vulns != nil,
		"Paging":        models.Paging{Page: page, Pages: pages, Total: int64(len(rows))},
		"PageURL":       fmt.Sprintf("/attestations/%d/evidence/%d/sbom?page=", attID, eid),
	})
}
