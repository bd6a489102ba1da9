package receipt

import (
	"fmt"
	"slices"
	"strings"
)

// Change is one difference between two versions of a declaration, worded
// for a person reading the review page.
type Change struct {
	// RequirementID is the answer that changed, or 0 for the scope and the
	// declaration.
	RequirementID uint   `json:"requirement_id"`
	Standard      string `json:"standard"`
	Field         string `json:"field"`
	Before        string `json:"before"`
	After         string `json:"after"`
}

// String renders the change as one line.
func (c Change) String() string {
	where := c.Field
	if c.Standard != "" {
		where = c.Standard + ": " + c.Field
	}
	return fmt.Sprintf("%s changed from %q to %q", where, c.Before, c.After)
}

// Changes lists what differs between declarations a (earlier) and b
// (later): per answer its status, explanation, planned date and evidence,
// then the scope and the declarer.
func Changes(a, b Document) []Change {
	a, b = a.normalise(), b.normalise()
	var out []Change
	before := make(map[uint]DocumentAnswer, len(a.Answers))
	for _, x := range a.Answers {
		before[x.RequirementID] = x
	}
	for _, y := range b.Answers {
		x, ok := before[y.RequirementID]
		delete(before, y.RequirementID)
		add := func(field, bv, av string) {
			if bv != av {
				out = append(out, Change{RequirementID: y.RequirementID, Standard: y.Standard, Field: field, Before: bv, After: av})
			}
		}
		if !ok {
			add("status", "", y.Status)
			continue
		}
		add("status", x.Status, y.Status)
		add("explanation", x.Explanation, y.Explanation)
		add("planned_date", x.PlannedDate, y.PlannedDate)
		add("evidence", evidenceText(x.Evidence), evidenceText(y.Evidence))
	}
	for id, x := range before {
		out = append(out, Change{RequirementID: id, Standard: x.Standard, Field: "status", Before: x.Status, After: ""})
	}
	if !slices.Equal(a.Scope.Web, b.Scope.Web) {
		out = append(out, Change{Field: "web domains", Before: strings.Join(a.Scope.Web, ", "), After: strings.Join(b.Scope.Web, ", ")})
	}
	if !slices.Equal(a.Scope.Mail, b.Scope.Mail) {
		out = append(out, Change{Field: "mail domains", Before: strings.Join(a.Scope.Mail, ", "), After: strings.Join(b.Scope.Mail, ", ")})
	}
	if !slices.Equal(a.Scope.Management, b.Scope.Management) {
		out = append(out, Change{Field: "management endpoints", Before: strings.Join(a.Scope.Management, ", "), After: strings.Join(b.Scope.Management, ", ")})
	}
	if a.Declarer != b.Declarer {
		out = append(out, Change{Field: "declarer", Before: a.Declarer, After: b.Declarer})
	}
	return out
}

// Diff lists every field in which two documents differ, including the
// bookkeeping fields (ids, version, submitter, time) that Changes leaves out.
func Diff(a, b Document) []string {
	var out []string
	field := func(name string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			out = append(out, fmt.Sprintf("%s: saved %v, now %v", name, x, y))
		}
	}
	field("attestation_id", a.AttestationID, b.AttestationID)
	field("version", a.Version, b.Version)
	field("tender_id", a.TenderID, b.TenderID)
	field("tender_reference", a.TenderReference, b.TenderReference)
	field("supplier_org_id", a.SupplierOrgID, b.SupplierOrgID)
	field("submitted_by_id", a.SubmittedByID, b.SubmittedByID)
	field("submitted_at", a.SubmittedAt, b.SubmittedAt)
	for _, c := range Changes(a, b) {
		out = append(out, c.String())
	}
	return out
}

func evidenceText(ev []DocumentEvidence) string {
	parts := make([]string, len(ev))
	for i, e := range ev {
		if e.Kind == "url" {
			parts[i] = e.URL
		} else {
			parts[i] = e.FileName + " (sha256 " + e.SHA256 + ")"
		}
	}
	return strings.Join(parts, "; ")
}
