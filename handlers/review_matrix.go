package handlers

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

// Layouts of the review matrix (the "view" query parameter).
const (
	// viewRequirements has a row per requirement and a column per vendor.
	viewRequirements = "requirements"
	// viewVendors is the transposed matrix: a row per vendor.
	viewVendors = "vendors"
)

// matrixParams is what the matrix page, its CSV and its forms carry in
// the query: the filters, the order and the layout, all checked.
type matrixParams struct {
	Query models.MatrixQuery
	View  string
}

// parseMatrixParams reads the matrix parameters from the query (GET) or
// the form (POST); unknown values fall back to the defaults.
func parseMatrixParams(c *fiber.Ctx) matrixParams {
	var only []string
	var sort, view string
	if c.Method() == fiber.MethodPost {
		for _, v := range c.Request().PostArgs().PeekMulti("only") {
			only = append(only, string(v))
		}
		sort, view = c.FormValue("sort"), c.FormValue("view")
	} else {
		for _, v := range c.Context().QueryArgs().PeekMulti("only") {
			only = append(only, string(v))
		}
		sort, view = c.Query("sort"), c.Query("view")
	}
	p := matrixParams{Query: models.ParseMatrixQuery(only, sort), View: viewRequirements}
	if view == viewVendors {
		p.View = viewVendors
	}
	return p
}

// values is p as query parameters, defaults left out.
func (p matrixParams) values() url.Values {
	v := url.Values{}
	for _, f := range p.Query.Only {
		v.Add("only", f)
	}
	if p.Query.Sort != models.SortName {
		v.Set("sort", p.Query.Sort)
	}
	if p.View != viewRequirements {
		v.Set("view", p.View)
	}
	return v
}

// encode is p as a query string with a leading "?", or "".
func (p matrixParams) encode(extra ...string) string {
	v := p.values()
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// Transposed reports whether vendors are the rows.
func (p matrixParams) Transposed() bool { return p.View == viewVendors }

// loadMatrixView loads the grid of the tender named by :id for the
// current user and applies the request's parameters.
func (h *Handler) loadMatrixView(c *fiber.Ctx) (*models.MatrixView, matrixParams, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, matrixParams{}, err
	}
	g, err := models.LoadMatrixGrid(c.UserContext(), h.DB, currentUser(c), id)
	if err != nil {
		return nil, matrixParams{}, err
	}
	p := parseMatrixParams(c)
	return g.View(p.Query), p, nil
}

// reviewFlash is the confirmation the matrix shows after a redirect
// (?done=), each a fixed message; only the bulk count is a parameter,
// parsed as a number.
func reviewFlash(c *fiber.Ctx) string {
	switch c.Query("done") {
	case "accept":
		return tr(c, "review.accepted", nil)
	case "bulk":
		n, err := strconv.Atoi(c.Query("n"))
		if err != nil || n < 0 {
			return ""
		}
		if n == 0 {
			return tr(c, "review.bulk_none", nil)
		}
		return tr(c, "review.bulk_accepted", map[string]any{"count": n})
	}
	return ""
}

// ShowReviewMatrix shows every vendor of a tender side by side with a
// summary per vendor, filtered, sorted and laid out as the query asks,
// with a way to accept answers one by one or, where the probes confirmed
// them, all at once.
func (h *Handler) ShowReviewMatrix(c *fiber.Ctx) error {
	return h.cachedPage(c, "review/matrix", func() (string, fiber.Map, error) {
		v, p, err := h.loadMatrixView(c)
		if err != nil {
			return "", nil, err
		}
		page := buildMatrixPage(localeOf(c).Lang, v, p, currentUser(c))
		data := fiber.Map{"Page": page, "Tender": v.Grid.Tender, "CanInvite": page.CanReview}
		if f := reviewFlash(c); f != "" {
			data["Flash"] = f
		}
		return tr(c, "title.review", map[string]any{"title": v.Grid.Tender.Title}), data, nil
	})
}

// APIReviewMatrix is GET /api/v1/tenders/{id}/matrix.
func (h *Handler) APIReviewMatrix(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	m, err := models.BuildReviewMatrix(c.UserContext(), h.DB, currentUser(c), id)
	if err != nil {
		return err
	}
	type cell struct {
		AttestationID uint   `json:"attestation_id"`
		Status        string `json:"status"`
		ReviewStatus  string `json:"review_status"`
		NeedsAccept   bool   `json:"needs_acceptance"`
		Verdict       string `json:"verdict"`
	}
	type row struct {
		RequirementID uint   `json:"requirement_id"`
		Standard      string `json:"standard"`
		Level         string `json:"level"`
		Cells         []cell `json:"cells"`
	}
	vendors := make([]attestationJSON, len(m.Attestations))
	for i := range m.Attestations {
		vendors[i] = attestationOf(&m.Attestations[i], false)
	}
	rows := make([]row, len(m.Rows))
	for i, r := range m.Rows {
		rows[i] = row{RequirementID: r.Requirement.ID, Level: r.Requirement.Level, Cells: make([]cell, len(r.Cells))}
		if r.Requirement.Standard != nil {
			rows[i].Standard = r.Requirement.Standard.Slug
		}
		for j, c := range r.Cells {
			rows[i].Cells[j] = cell{c.AttestationID, c.Status, c.ReviewStatus, c.NeedsAccept, c.Verdict}
		}
	}
	return c.JSON(fiber.Map{"tender_id": m.Tender.ID, "attestations": vendors, "rows": rows})
}
