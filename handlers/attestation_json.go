package handlers

import (
	"strconv"
	"time"

	"tenderprobe/models"
)

// apiAnswer is an answer as the JSON API takes it, for saving and for
// amending under review.
type apiAnswer struct {
	Status      string `json:"status"`
	Explanation string `json:"explanation"`
	PlannedDate string `json:"planned_date"`
	EvidenceURL string `json:"evidence_url"`
	LockVersion *int   `json:"lock_version"`
}

func (in apiAnswer) input() models.AnswerInput {
	return models.AnswerInput{Status: in.Status, Explanation: in.Explanation, PlannedDate: in.PlannedDate,
		EvidenceURL: in.EvidenceURL, LockVersion: in.LockVersion}
}

// evidenceJSON is one piece of evidence as the API shows it.
type evidenceJSON struct {
	ID          uint      `json:"id"`
	Kind        string    `json:"kind"`
	URL         string    `json:"url,omitempty"`
	FileName    string    `json:"file_name,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int64     `json:"size,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	Download    string    `json:"download,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

func evidenceOf(attID uint, e *models.Evidence) evidenceJSON {
	out := evidenceJSON{ID: e.ID, Kind: e.Kind, URL: e.URL, FileName: e.FileName, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, CreatedAt: e.CreatedAt}
	if e.Kind == models.EvidenceFile {
		out.Download = "/api/v1/attestations/" + strconv.FormatUint(uint64(attID), 10) + "/evidence-files/" + strconv.FormatUint(uint64(e.ID), 10)
	}
	return out
}

// answerJSON is one answer as the API shows it.
type answerJSON struct {
	RequirementID   uint           `json:"requirement_id"`
	Standard        string         `json:"standard"`
	Level           string         `json:"level"`
	Status          string         `json:"status"`
	Explanation     string         `json:"explanation"`
	PlannedDate     string         `json:"planned_date"`
	ReviewStatus    string         `json:"review_status"`
	NeedsAcceptance bool           `json:"needs_acceptance"`
	LockVersion     int            `json:"lock_version"`
	Evidence        []evidenceJSON `json:"evidence"`
	// Verification is the newest verdict of the live probes; null until
	// a run of this version has finished.
	Verification *verificationJSON `json:"verification"`
}

func answerOf(a *models.Answer) answerJSON {
	out := answerJSON{RequirementID: a.RequirementID, Status: a.Status, Explanation: a.Explanation, PlannedDate: a.PlannedDate,
		ReviewStatus: a.ReviewStatus, NeedsAcceptance: a.NeedsAcceptance(), LockVersion: a.LockVersion, Evidence: []evidenceJSON{}}
	if a.Requirement != nil {
		out.Level = a.Requirement.Level
		if a.Requirement.Standard != nil {
			out.Standard = a.Requirement.Standard.Slug
		}
	}
	for i := range a.Evidence {
		out.Evidence = append(out.Evidence, evidenceOf(a.AttestationID, &a.Evidence[i]))
	}
	return out
}

// submissionJSON is one submitted version's receipt.
type submissionJSON struct {
	Version     int       `json:"version"`
	Receipt     string    `json:"receipt"`
	Declarer    string    `json:"declarer"`
	SubmittedAt time.Time `json:"submitted_at"`
	Amended     *uint     `json:"amended_requirement_id,omitempty"`
}

// attestationJSON is an attestation as the API shows it; Answers only for
// a single attestation.
type attestationJSON struct {
	ID              uint                `json:"id"`
	TenderID        uint                `json:"tender_id"`
	TenderTitle     string              `json:"tender_title"`
	TenderReference string              `json:"tender_reference"`
	Deadline        *time.Time          `json:"deadline"`
	SupplierOrgID   uint                `json:"supplier_org_id"`
	Supplier        string              `json:"supplier"`
	Status          string              `json:"status"`
	Version         int                 `json:"version"`
	LockVersion     int                 `json:"lock_version"`
	ScopeLock       int                 `json:"scope_lock"`
	SubmittedAt     *time.Time          `json:"submitted_at"`
	Receipt         string              `json:"receipt,omitempty"`
	Answered        int                 `json:"answered"`
	Total           int                 `json:"total"`
	Scope           map[string][]string `json:"scope"`
	Submissions     []submissionJSON    `json:"submissions"`
	Answers         []answerJSON        `json:"answers,omitempty"`
}

func attestationOf(a *models.Attestation, withAnswers bool) attestationJSON {
	comp := a.Completeness()
	out := attestationJSON{ID: a.ID, TenderID: a.TenderID, SupplierOrgID: a.SupplierOrgID, Status: a.Status, Version: a.Version,
		LockVersion: a.LockVersion, ScopeLock: a.ScopeLock, SubmittedAt: a.SubmittedAt, Answered: comp.Answered, Total: comp.Total,
		Scope:       scopeJSON(a),
		Submissions: []submissionJSON{}}
	if a.Tender != nil {
		out.TenderTitle, out.TenderReference, out.Deadline = a.Tender.Title, a.Tender.Reference, a.Tender.Deadline
	}
	if a.SupplierOrg != nil {
		out.Supplier = a.SupplierOrg.Name
	}
	if r := a.Receipt(); r != nil {
		out.Receipt = r.Receipt
	}
	for _, s := range a.Submissions {
		out.Submissions = append(out.Submissions, submissionJSON{Version: s.Version, Receipt: s.Receipt, Declarer: s.Declarer, SubmittedAt: s.SubmittedAt, Amended: s.AmendedRequirementID})
	}
	if withAnswers {
		out.Answers = make([]answerJSON, len(a.Answers))
		for i := range a.Answers {
			out.Answers[i] = answerOf(&a.Answers[i])
		}
	}
	return out
}

// scopeJSON is an attestation's scope as the API shows it: "web" and
// "mail" domains and the "management" endpoints, each a list (empty when
// none).
func scopeJSON(a *models.Attestation) map[string][]string {
	return map[string][]string{"web": a.ScopeNames(models.ScopeWeb), "mail": a.ScopeNames(models.ScopeMail),
		"management": a.ScopeNames(models.ScopeManagement)}
}
