package handlers

import (
	"time"

	"tenderprobe/app/probe/check"
	"tenderprobe/models"
)

// standardJSON is a catalogue standard as the API shows it.
type standardJSON struct {
	Slug       string             `json:"slug"`
	Name       string             `json:"name"`
	Domain     string             `json:"domain"`
	References []models.Reference `json:"references"`
	Checks     []check.ID         `json:"checks"`
}

func standardOf(s *models.Standard) standardJSON {
	refs, checks := s.References, s.Checks
	if refs == nil {
		refs = []models.Reference{}
	}
	if checks == nil {
		checks = []check.ID{}
	}
	return standardJSON{Slug: s.Slug, Name: s.Name, Domain: s.Domain, References: refs, Checks: checks}
}

// requirementJSON is one line of a tender's sheet.
type requirementJSON struct {
	ID           uint   `json:"id"`
	Standard     string `json:"standard"`
	Level        string `json:"level"`
	Position     int    `json:"position"`
	Clause       string `json:"clause"`
	CustomClause string `json:"custom_clause"`
	Note         string `json:"note"`
	NotePublic   bool   `json:"note_public"`
}

// requirementOf shows r to viewer, who reads an internal note only on the
// buyer's side, with its clause in lang, the tender's language.
func requirementOf(r *models.Requirement, lang string, viewer *models.User) requirementJSON {
	out := requirementJSON{ID: r.ID, Level: r.Level, Position: r.Position, Clause: r.ClauseIn(lang), CustomClause: r.CustomClause,
		Note: r.NoteFor(viewer), NotePublic: r.NotePublic}
	if r.Standard != nil {
		out.Standard = r.Standard.Slug
	}
	return out
}

// tenderJSON is a tender as the API shows it; Requirements is only filled
// for a single tender.
type tenderJSON struct {
	ID                  uint       `json:"id"`
	Title               string     `json:"title"`
	Reference           string     `json:"reference"`
	Description         string     `json:"description"`
	Status              string     `json:"status"`
	Revision            int        `json:"revision"`
	Buyer               string     `json:"buyer"`
	Deadline            *time.Time `json:"deadline"`
	DeadlineZone        string     `json:"deadline_zone"`
	EstimatedValueCents int64      `json:"estimated_value_cents"`
	Currency            string     `json:"currency"`
	Language            string     `json:"language"`
	ScopeTags           []string   `json:"scope_tags"`
	CatalogueVersion    string     `json:"catalogue_version,omitempty"`
	PublishedAt         *time.Time `json:"published_at"`
	RequirementCount    int64      `json:"requirement_count"`
	// Requirements is nil (left out) in lists and a list, maybe empty, for
	// a single tender.
	Requirements *[]requirementJSON `json:"requirements,omitempty"`
}

func tenderOf(t *models.Tender, withRequirements bool, viewer *models.User) tenderJSON {
	out := tenderJSON{
		ID: t.ID, Title: t.Title, Reference: t.Reference, Description: t.Description, Status: t.Status,
		Revision: t.Revision, Deadline: t.Deadline, DeadlineZone: t.DeadlineZone, EstimatedValueCents: t.EstimatedValueCents,
		Currency: t.Currency, Language: t.Language, ScopeTags: t.ScopeTags, PublishedAt: t.PublishedAt, RequirementCount: t.RequirementCount,
	}
	if out.ScopeTags == nil {
		out.ScopeTags = []string{}
	}
	if t.BuyerOrg != nil {
		out.Buyer = t.BuyerOrg.Name
	}
	if t.CatalogueVersion != nil {
		out.CatalogueVersion = t.CatalogueVersion.Version
	}
	if withRequirements {
		reqs := make([]requirementJSON, len(t.Requirements))
		for i := range t.Requirements {
			reqs[i] = requirementOf(&t.Requirements[i], t.Language, viewer)
		}
		out.Requirements = &reqs
		out.RequirementCount = int64(len(t.Requirements))
	}
	return out
}
