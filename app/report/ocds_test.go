package report

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// ocdsFields lists the field names each OCDS object may have. Criterion,
// RequirementGroup, Requirement, RequirementResponse and
// RequirementReference are copied from the release-schema.json of
// open-contracting-extensions/ocds_requirements_extension (master); Bids
// and Bid from ocds_bid_extension (plus requirementResponses, which the
// requirements extension adds to Bid); the rest from OCDS 1.1 core.
var ocdsFields = map[string][]string{
	"package":             {"uri", "version", "extensions", "publishedDate", "publisher", "releases", "license", "publicationPolicy"},
	"publisher":           {"name", "scheme", "uid", "uri"},
	"release":             {"ocid", "id", "date", "tag", "initiationType", "parties", "buyer", "planning", "tender", "awards", "contracts", "language", "relatedProcesses", "bids"},
	"party":               {"name", "id", "identifier", "additionalIdentifiers", "address", "contactPoint", "roles", "details"},
	"organizationRef":     {"name", "id", "identifier", "address", "additionalIdentifiers", "contactPoint"},
	"tender":              {"id", "title", "description", "status", "procuringEntity", "items", "value", "minValue", "procurementMethod", "procurementMethodDetails", "procurementMethodRationale", "mainProcurementCategory", "additionalProcurementCategories", "awardCriteria", "awardCriteriaDetails", "submissionMethod", "submissionMethodDetails", "tenderPeriod", "enquiryPeriod", "hasEnquiries", "eligibilityCriteria", "awardPeriod", "contractPeriod", "numberOfTenderers", "tenderers", "documents", "milestones", "amendments", "amendment", "criteria"},
	"value":               {"amount", "currency"},
	"period":              {"startDate", "endDate", "maxExtentDate", "durationInDays"},
	"criterion":           {"id", "title", "description", "source", "relatesTo", "relatedItem", "relatedLots", "requirementGroups"},
	"requirementGroup":    {"id", "description", "requirements"},
	"requirement":         {"id", "title", "description", "dataType", "pattern", "expectedValue", "minValue", "maxValue", "period"},
	"bids":                {"statistics", "details"},
	"bid":                 {"id", "date", "description", "status", "items", "tenderers", "value", "validityPeriod", "documents", "requirementResponses"},
	"document":            {"id", "documentType", "title", "description", "url", "datePublished", "dateModified", "format", "language"},
	"requirementResponse": {"id", "title", "description", "value", "period", "requirement", "relatedTenderer"},
	"requirementRef":      {"id", "title"},
}

// ocdsChildren names the object kind under each field of an object kind.
var ocdsChildren = map[string]map[string]string{
	"package":             {"publisher": "publisher", "releases": "release"},
	"release":             {"parties": "party", "buyer": "organizationRef", "tender": "tender", "bids": "bids"},
	"tender":              {"value": "value", "tenderPeriod": "period", "criteria": "criterion"},
	"criterion":           {"requirementGroups": "requirementGroup"},
	"requirementGroup":    {"requirements": "requirement"},
	"bids":                {"details": "bid"},
	"bid":                 {"tenderers": "organizationRef", "documents": "document", "requirementResponses": "requirementResponse"},
	"requirementResponse": {"requirement": "requirementRef"},
}

// checkOCDS walks v as an object of kind and reports every field the
// schemas do not define, every empty string (the schemas ask for
// minLength 1) and every empty array (minItems 1).
func checkOCDS(t *testing.T, kind, path string, v any, seen map[string]int) {
	t.Helper()
	seen[kind]++
	obj, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: a %s must be an object, got %T", path, kind, v)
		return
	}
	allowed := map[string]bool{}
	for _, f := range ocdsFields[kind] {
		allowed[f] = true
	}
	for field, val := range obj {
		p := path + "." + field
		if !allowed[field] {
			t.Errorf("%s: %q is not a field of %s", p, field, kind)
		}
		switch x := val.(type) {
		case string:
			if x == "" {
				t.Errorf("%s: empty string", p)
			}
		case []any:
			if len(x) == 0 {
				t.Errorf("%s: empty array", p)
			}
		}
		child, ok := ocdsChildren[kind][field]
		if !ok {
			continue
		}
		if arr, isArr := val.([]any); isArr {
			for _, item := range arr {
				checkOCDS(t, child, p+"[]", item, seen)
			}
		} else {
			checkOCDS(t, child, p, val, seen)
		}
	}
}

func TestTenderOCDS(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteTenderOCDS(&buf, sampleTender(), "", Options{Created: generated}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}

	t.Run("every field is one the requirements and bid extensions or OCDS core define", func(t *testing.T) {
		seen := map[string]int{}
		checkOCDS(t, "package", "$", doc, seen)
		for _, kind := range []string{"criterion", "requirementGroup", "requirement", "bid", "requirementResponse", "requirementRef", "document"} {
			if seen[kind] == 0 {
				t.Errorf("the export has no %s", kind)
			}
		}
	})

	t.Run("each response names a requirement of the tender's criteria", func(t *testing.T) {
		var pkg struct {
			Releases []struct {
				OCID   string
				Tender struct {
					Criteria []struct {
						RequirementGroups []struct {
							Requirements []struct {
								ID            string
								ExpectedValue string
							}
						}
					}
				}
				Bids struct {
					Details []struct {
						Status               string
						RequirementResponses []struct {
							Value       string
							Description string
							Requirement struct{ ID string }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &pkg); err != nil {
			t.Fatal(err)
		}
		rel := pkg.Releases[0]
		if rel.OCID != DefaultOCIDPrefix+"-7" {
			t.Errorf("ocid %q", rel.OCID)
		}
		ids := map[string]bool{}
		for _, c := range rel.Tender.Criteria {
			for _, g := range c.RequirementGroups {
				for _, q := range g.Requirements {
					ids[q.ID] = true
				}
			}
		}
		if len(ids) != 3 {
			t.Fatalf("%d requirements in the criteria, want 3", len(ids))
		}
		var values []string
		for _, b := range rel.Bids.Details {
			for _, rr := range b.RequirementResponses {
				if !ids[rr.Requirement.ID] {
					t.Errorf("response to unknown requirement %q", rr.Requirement.ID)
				}
				values = append(values, rr.Value)
			}
		}
		sort.Strings(values)
		if got := strings.Join(values, ","); got != "complies,complies,complies,does_not_comply,not_applicable,partial" {
			t.Fatalf("response values %s", got)
		}
		if len(rel.Bids.Details) != 3 || rel.Bids.Details[2].Status != "invited" || rel.Bids.Details[0].Status != "pending" {
			t.Fatalf("bids %+v", rel.Bids.Details)
		}
		if !strings.Contains(buf.String(), "Probe verdict: contradicted.") || !strings.Contains(buf.String(), "SHA-256 "+sampleSHA) {
			t.Fatal("the verdict or the evidence hash is missing")
		}
	})

	t.Run("the same data give the same bytes", func(t *testing.T) {
		var again bytes.Buffer
		if err := WriteTenderOCDS(&again, sampleTender(), "", Options{Created: generated}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Fatal("two exports differ")
		}
	})
}
