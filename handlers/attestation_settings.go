package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/app/mail"
	"tenderprobe/models"
)

// AttestSettings are the dependencies of the attestation pages: where
// evidence files live, the mailer for invitation links and how long a link
// works.
type AttestSettings struct {
	// Store keeps evidence files under the data directory.
	Store attest.Store
	// Mailer sends invitation links when an SMTP relay is configured.
	Mailer *mail.Mailer
	// BaseURL is the app's public address for links sent by mail; empty
	// means the address of the request.
	BaseURL string
	// InvitationTTL is how long an invitation link works.
	InvitationTTL time.Duration
	// ReminderWindow is how long before a deadline the vendor's dashboard
	// starts reminding of an unsubmitted attestation.
	ReminderWindow time.Duration
}

// UploadBodyLimit is the request body limit of the evidence upload routes:
// a 10 MB file plus the multipart framing around it.
const UploadBodyLimit = attest.MaxEvidenceSize + 64<<10

func (h *Handler) invitationTTL() time.Duration {
	if h.Attest.InvitationTTL > 0 {
		return h.Attest.InvitationTTL
	}
	return models.DefaultInvitationTTL
}

func (h *Handler) reminderWindow() time.Duration {
	if h.Attest.ReminderWindow > 0 {
		return h.Attest.ReminderWindow
	}
	return 7 * 24 * time.Hour
}

// attestationFor loads the attestation named by :id if the current user
// may see it; otherwise 404, so that existence does not leak.
func (h *Handler) attestationFor(c *fiber.Ctx) (*models.Attestation, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return models.FindAttestationFor(c.UserContext(), h.DB, currentUser(c), id)
}

// answerTarget loads the attestation of the URL (if the user may see it)
// and parses the requirement whose answer the request is about.
func (h *Handler) answerTarget(c *fiber.Ctx) (*models.Attestation, uint, error) {
	a, err := h.attestationFor(c)
	if err != nil {
		return nil, 0, err
	}
	rid, err := paramID(c, "requirement_id")
	if err != nil {
		return nil, 0, err
	}
	return a, rid, nil
}

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

// optionalInt reads a form or query integer such as a lock version; empty
// gives nil (no check).
func optionalInt(field, s string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, invalidInput(field, "not_a_number")
	}
	return &n, nil
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
		Scope:       map[string][]string{"web": a.ScopeNames(models.ScopeWeb), "mail": a.ScopeNames(models.ScopeMail)},
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
