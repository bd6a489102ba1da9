package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"tenderprobe/models"
)

// DefaultOCIDPrefix starts the ocid of exported tenders. A publisher that
// has registered its own prefix with the Open Contracting Partnership
// passes that instead.
const DefaultOCIDPrefix = "ocds-tndrpb"

// OCDS extensions the export uses, declared in the release package.
var ocdsExtensions = []string{
	"https://raw.githubusercontent.com/open-contracting-extensions/ocds_requirements_extension/master/extension.json",
	"https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/master/extension.json",
}

// The OCDS structures below carry only the fields the export fills; the
// names follow OCDS 1.1 core, the requirements extension (Criterion,
// RequirementGroup, Requirement, RequirementResponse) and the bid
// extension (Bids, Bid). ocds_test.go checks them against the field names
// of the extensions' release schemas.
type ocdsPackage struct {
	URI           string        `json:"uri"`
	Version       string        `json:"version"`
	Extensions    []string      `json:"extensions"`
	PublishedDate string        `json:"publishedDate"`
	Publisher     ocdsPublisher `json:"publisher"`
	Releases      []ocdsRelease `json:"releases"`
}

type ocdsPublisher struct {
	Name string `json:"name"`
}

type ocdsRelease struct {
	OCID           string      `json:"ocid"`
	ID             string      `json:"id"`
	Date           string      `json:"date"`
	Tag            []string    `json:"tag"`
	InitiationType string      `json:"initiationType"`
	Language       string      `json:"language"`
	Parties        []ocdsParty `json:"parties"`
	Buyer          *ocdsOrgRef `json:"buyer,omitempty"`
	Tender         ocdsTender  `json:"tender"`
	Bids           *ocdsBids   `json:"bids,omitempty"`
}

type ocdsParty struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

type ocdsOrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type ocdsValue struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

type ocdsPeriod struct {
	StartDate string `json:"startDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
}

type ocdsTender struct {
	ID           string          `json:"id"`
	Title        string          `json:"title"`
	Description  string          `json:"description,omitempty"`
	Status       string          `json:"status"`
	Value        *ocdsValue      `json:"value,omitempty"`
	TenderPeriod *ocdsPeriod     `json:"tenderPeriod,omitempty"`
	Criteria     []ocdsCriterion `json:"criteria,omitempty"`
}

type ocdsCriterion struct {
	ID                string                 `json:"id"`
	Title             string                 `json:"title,omitempty"`
	Description       string                 `json:"description,omitempty"`
	Source            string                 `json:"source"`
	RelatesTo         string                 `json:"relatesTo"`
	RequirementGroups []ocdsRequirementGroup `json:"requirementGroups"`
}

type ocdsRequirementGroup struct {
	ID           string            `json:"id"`
	Description  string            `json:"description,omitempty"`
	Requirements []ocdsRequirement `json:"requirements"`
}

type ocdsRequirement struct {
	ID            string `json:"id"`
	Title         string `json:"title,omitempty"`
	Description   string `json:"description,omitempty"`
	DataType      string `json:"dataType"`
	ExpectedValue string `json:"expectedValue"`
}

type ocdsBids struct {
	Details []ocdsBid `json:"details"`
}

type ocdsBid struct {
	ID                   string                    `json:"id"`
	Date                 string                    `json:"date,omitempty"`
	Status               string                    `json:"status"`
	Tenderers            []ocdsOrgRef              `json:"tenderers"`
	Documents            []ocdsDocument            `json:"documents,omitempty"`
	RequirementResponses []ocdsRequirementResponse `json:"requirementResponses,omitempty"`
}

type ocdsDocument struct {
	ID          string `json:"id"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
}

type ocdsRequirementResponse struct {
	ID          string             `json:"id"`
	Title       string             `json:"title,omitempty"`
	Description string             `json:"description,omitempty"`
	Value       string             `json:"value"`
	Requirement ocdsRequirementRef `json:"requirement"`
}

type ocdsRequirementRef struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

// ocdsTenderStatus maps a tender status to the OCDS tenderStatus codelist.
func ocdsTenderStatus(status string) string {
	switch status {
	case models.StatusDraft:
		return "planning"
	case models.StatusPublished:
		return "active"
	case models.StatusWithdrawn:
		return "withdrawn"
	}
	return "complete"
}

func ocdsTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// WriteTenderOCDS writes r as an OCDS 1.1 release package with one
// release: the tender with its requirement sheet as
// tender.criteria[].requirementGroups[].requirements[] (one criterion per
// requirement, answered with a string that is expected to be "complies")
// and each vendor's attestation as a bid in bids.details[] whose
// requirementResponses[] answer the requirements by id. Explanations,
// planned dates and verdicts go into each response's description, since
// neither extension has fields for them; evidence files become bid
// documents named with their SHA-256. prefix starts the ocid and
// opt.Created dates the release.
func WriteTenderOCDS(w io.Writer, r TenderReport, prefix string, opt Options) error {
	if prefix == "" {
		prefix = DefaultOCIDPrefix
	}
	// The texts are in the tender's language, which the release names.
	wd := wordsOf(Options{Lang: r.Lang})
	ocid := fmt.Sprintf("%s-%d", prefix, r.ID)
	date := ocdsTime(opt.Created)
	buyer := &ocdsOrgRef{ID: "buyer", Name: r.Buyer}
	rel := ocdsRelease{
		OCID: ocid, ID: fmt.Sprintf("%s-rev%d-%s", ocid, r.Revision, opt.Created.UTC().Format("20060102T150405Z")),
		Date: date, Tag: []string{"tender"}, InitiationType: "tender", Language: wd.lang,
		Parties: []ocdsParty{{ID: buyer.ID, Name: r.Buyer, Roles: []string{"buyer", "procuringEntity"}}}, Buyer: buyer,
		Tender: ocdsTender{ID: fmt.Sprintf("%d", r.ID), Title: r.Title, Description: r.Description, Status: ocdsTenderStatus(r.Status)},
	}
	if r.Reference != "" {
		rel.Tender.ID = r.Reference
	}
	if r.ValueCents > 0 {
		rel.Tender.Value = &ocdsValue{Amount: float64(r.ValueCents) / 100, Currency: r.Currency}
	}
	if r.PublishedAt != nil || r.Deadline != nil {
		p := &ocdsPeriod{}
		if r.PublishedAt != nil {
			p.StartDate = ocdsTime(*r.PublishedAt)
		}
		if r.Deadline != nil {
			p.EndDate = ocdsTime(*r.Deadline)
		}
		rel.Tender.TenderPeriod = p
	}
	for _, q := range r.Requirements {
		rel.Tender.Criteria = append(rel.Tender.Criteria, ocdsCriterion{
			ID: fmt.Sprintf("criterion-%d", q.ID), Title: q.Standard, Description: q.Clause,
			Source: "tenderer", RelatesTo: "tenderer",
			RequirementGroups: []ocdsRequirementGroup{{
				ID:          fmt.Sprintf("group-%d", q.ID),
				Description: wd.t("report.ocds.group", "level", wd.level(q.Level), "position", q.Position, "domain", wd.domain(q.Domain), "slug", q.Slug),
				Requirements: []ocdsRequirement{{
					ID: fmt.Sprintf("requirement-%d", q.ID), Title: q.Standard + " (" + wd.level(q.Level) + ")",
					Description: wd.t("report.ocds.answer_one_of", "values", strings.Join(models.AnswerStatuses, ", ")),
					DataType:    "string", ExpectedValue: models.AnswerComplies,
				}},
			}},
		})
	}
	if len(r.Vendors) > 0 {
		rel.Bids = &ocdsBids{Details: []ocdsBid{}}
	}
	for _, v := range r.Vendors {
		party := ocdsOrgRef{ID: fmt.Sprintf("supplier-%d", v.SupplierOrgID), Name: v.Name}
		rel.Parties = append(rel.Parties, ocdsParty{ID: party.ID, Name: party.Name, Roles: []string{"tenderer"}})
		bid := ocdsBid{ID: fmt.Sprintf("attestation-%d-v%d", v.AttestationID, v.Version), Status: "invited", Tenderers: []ocdsOrgRef{party}}
		if v.Status == models.AttestationSubmitted {
			bid.Status = "pending"
		}
		if v.SubmittedAt != nil {
			bid.Date = ocdsTime(*v.SubmittedAt)
		}
		for _, q := range r.Requirements {
			an, ok := v.Answers[q.ID]
			if !ok || an.Status == "" {
				continue
			}
			var desc []string
			if an.Explanation != "" {
				desc = append(desc, an.Explanation)
			}
			if an.PlannedDate != "" {
				desc = append(desc, wd.t("report.ocds.planned", "date", an.PlannedDate))
			}
			if v.Verified {
				desc = append(desc, wd.t("report.ocds.verdict", "verdict", wd.verdict(an.Verdict)))
			}
			bid.RequirementResponses = append(bid.RequirementResponses, ocdsRequirementResponse{
				ID: fmt.Sprintf("response-%d-%d", v.AttestationID, q.ID), Title: wd.answer(an.Status),
				Description: strings.Join(desc, "\n"), Value: an.Status,
				Requirement: ocdsRequirementRef{ID: fmt.Sprintf("requirement-%d", q.ID), Title: q.Standard + " (" + wd.level(q.Level) + ")"},
			})
			for i, e := range an.Evidence {
				doc := ocdsDocument{ID: fmt.Sprintf("evidence-%d-%d-%d", v.AttestationID, q.ID, i+1), Title: e.Name,
					Description: wd.t("report.ocds.evidence_for", "standard", q.Standard)}
				if e.SHA256 != "" {
					doc.Description += "; SHA-256 " + e.SHA256 // a hash has no language
				} else {
					doc.URL = e.Name
				}
				bid.Documents = append(bid.Documents, doc)
			}
		}
		rel.Bids.Details = append(rel.Bids.Details, bid)
	}
	pkg := ocdsPackage{
		URI: fmt.Sprintf("urn:tenderprobe:tender:%d", r.ID), Version: "1.1", Extensions: ocdsExtensions,
		PublishedDate: date, Publisher: ocdsPublisher{Name: "Tenderprobe"}, Releases: []ocdsRelease{rel},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(pkg); err != nil {
		return fmt.Errorf("report: tender %d as OCDS: %w", r.ID, err)
	}
	return nil
}
