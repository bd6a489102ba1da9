package models

import (
	"time"

	"gorm.io/gorm"
)

// migrateBaseline is migration 0001: the schema as commit c0512ec made it,
// the last one made by AutoMigrate on every start. It runs AutoMigrate
// once more over frozen copies of the model structs of that commit, which
// creates the whole schema on an empty database, finds nothing to do on a
// database made at c0512ec, and brings an older one to that schema just as
// a start of c0512ec would have. The copies keep only what shapes the
// schema (columns, tags, relations); later changes of the models never
// reach them. The audit-log triggers of c0512ec are migration 0002.
func migrateBaseline(tx *gorm.DB) error {
	return tx.AutoMigrate(
		&baselineOrg{},
		&baselineUser{},
		&baselineCatalogueVersion{},
		&baselineStandard{},
		&baselineTender{},
		&baselineRequirement{},
		&baselineSession{},
		&baselineAPIToken{},
		&baselineLoginAttempt{},
		&baselineAttestation{},
		&baselineAnswer{},
		&baselineEvidence{},
		&baselineScopeDomain{},
		&baselineSubmission{},
		&baselineInvitation{},
		&baselineReviewComment{},
		&baselineAuditEntry{},
		&baselineProbeRun{},
		&baselineProbeResult{},
		&baselineVerification{},
		&baselineVerdictChange{},
	)
}

type baselineOrg struct {
	ID        uint   `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null;uniqueIndex"`
	Kind      string `gorm:"size:20;not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (baselineOrg) TableName() string { return "orgs" }

type baselineUser struct {
	ID           uint         `gorm:"primaryKey"`
	Email        string       `gorm:"size:254;not null;uniqueIndex"`
	Name         string       `gorm:"size:200;not null"`
	PasswordHash string       `gorm:"size:100;not null"`
	Role         string       `gorm:"size:20;not null"`
	OrgID        *uint        `gorm:"index"`
	Org          *baselineOrg `gorm:"constraint:OnDelete:RESTRICT"`
	Disabled     bool         `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (baselineUser) TableName() string { return "users" }

type baselineCatalogueVersion struct {
	ID         uint               `gorm:"primaryKey"`
	Version    string             `gorm:"size:50;not null;uniqueIndex"`
	Title      string             `gorm:"size:300;not null"`
	ImportedAt time.Time          `gorm:"not null"`
	Current    bool               `gorm:"column:is_current;not null;default:false;index"`
	Standards  []baselineStandard `gorm:"foreignKey:CatalogueVersionID"`
}

func (baselineCatalogueVersion) TableName() string { return "catalogue_versions" }

type baselineStandard struct {
	ID                 uint                      `gorm:"primaryKey"`
	CatalogueVersionID uint                      `gorm:"not null;uniqueIndex:idx_standard_version_slug,priority:1"`
	CatalogueVersion   *baselineCatalogueVersion `gorm:"constraint:OnDelete:RESTRICT"`
	Slug               string                    `gorm:"size:60;not null;uniqueIndex:idx_standard_version_slug,priority:2"`
	Position           int                       `gorm:"not null;default:0"`
	Name               string                    `gorm:"size:200;not null"`
	Domain             string                    `gorm:"size:40;not null;index"`
	Summary            string                    `gorm:"type:text;not null"`
	WhyDemand          string                    `gorm:"type:text;not null"`
	Clause             string                    `gorm:"type:text;not null"`
	References         []any                     `gorm:"type:text;serializer:json"`
	Checks             []string                  `gorm:"type:text;serializer:json"`
}

func (baselineStandard) TableName() string { return "standards" }

type baselineTender struct {
	ID                  uint         `gorm:"primaryKey"`
	BuyerOrgID          uint         `gorm:"not null;index"`
	BuyerOrg            *baselineOrg `gorm:"constraint:OnDelete:RESTRICT"`
	Title               string       `gorm:"size:200;not null"`
	Reference           string       `gorm:"size:100;not null;default:''"`
	Description         string       `gorm:"type:text;not null;default:''"`
	EstimatedValueCents int64        `gorm:"not null;default:0"`
	Currency            string       `gorm:"size:3;not null;default:'EUR'"`
	Deadline            *time.Time
	ScopeTags           []string                  `gorm:"type:text;serializer:json"`
	Status              string                    `gorm:"size:20;not null;index"`
	CatalogueVersionID  uint                      `gorm:"not null;index"`
	CatalogueVersion    *baselineCatalogueVersion `gorm:"constraint:OnDelete:RESTRICT"`
	Revision            int                       `gorm:"not null;default:1"`
	SeriesID            uint                      `gorm:"not null;default:0;index"`
	SupersedesID        *uint                     `gorm:"index"`
	Supersedes          *baselineTender           `gorm:"constraint:OnDelete:RESTRICT"`
	SupersededAt        *time.Time
	PublishedAt         *time.Time
	CreatedByID         uint          `gorm:"not null;index"`
	CreatedBy           *baselineUser `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt           time.Time
	UpdatedAt           time.Time
	Requirements        []baselineRequirement `gorm:"foreignKey:TenderID;constraint:OnDelete:CASCADE"`
}

func (baselineTender) TableName() string { return "tenders" }

type baselineRequirement struct {
	ID           uint              `gorm:"primaryKey"`
	TenderID     uint              `gorm:"not null;uniqueIndex:idx_requirement_tender_standard,priority:1;index"`
	StandardID   uint              `gorm:"not null;uniqueIndex:idx_requirement_tender_standard,priority:2"`
	Standard     *baselineStandard `gorm:"constraint:OnDelete:RESTRICT"`
	Position     int               `gorm:"not null"`
	Level        string            `gorm:"size:20;not null"`
	CustomClause string            `gorm:"type:text;not null;default:''"`
	Note         string            `gorm:"type:text;not null;default:''"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (baselineRequirement) TableName() string { return "requirements" }

type baselineSession struct {
	ID        string       `gorm:"primaryKey;size:64"`
	UserID    uint         `gorm:"not null;index"`
	User      baselineUser `gorm:"constraint:OnDelete:CASCADE"`
	CSRFToken string       `gorm:"size:64;not null"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null;index"`
}

func (baselineSession) TableName() string { return "sessions" }

type baselineAPIToken struct {
	ID        uint         `gorm:"primaryKey"`
	UserID    uint         `gorm:"not null;index"`
	User      baselineUser `gorm:"constraint:OnDelete:CASCADE"`
	Hash      string       `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null"`
}

func (baselineAPIToken) TableName() string { return "api_tokens" }

type baselineLoginAttempt struct {
	Subject     string `gorm:"primaryKey;size:400"`
	Failures    int    `gorm:"not null"`
	WindowStart time.Time
}

func (baselineLoginAttempt) TableName() string { return "login_attempts" }

type baselineAttestation struct {
	ID            uint            `gorm:"primaryKey"`
	TenderID      uint            `gorm:"not null;uniqueIndex:idx_attestation_tender_supplier,priority:1"`
	Tender        *baselineTender `gorm:"constraint:OnDelete:RESTRICT"`
	SupplierOrgID uint            `gorm:"not null;uniqueIndex:idx_attestation_tender_supplier,priority:2;index"`
	SupplierOrg   *baselineOrg    `gorm:"constraint:OnDelete:RESTRICT"`
	Status        string          `gorm:"size:20;not null;index"`
	Version       int             `gorm:"not null;default:1"`
	LockVersion   int             `gorm:"not null;default:1"`
	ScopeLock     int             `gorm:"not null;default:1"`
	SubmittedAt   *time.Time
	RemindedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (baselineAttestation) TableName() string { return "attestations" }

type baselineAnswer struct {
	ID            uint                 `gorm:"primaryKey"`
	AttestationID uint                 `gorm:"not null;uniqueIndex:idx_answer_version_requirement,priority:1"`
	Attestation   *baselineAttestation `gorm:"constraint:OnDelete:CASCADE"`
	Version       int                  `gorm:"not null;uniqueIndex:idx_answer_version_requirement,priority:2"`
	RequirementID uint                 `gorm:"not null;uniqueIndex:idx_answer_version_requirement,priority:3;index"`
	Requirement   *baselineRequirement `gorm:"constraint:OnDelete:RESTRICT"`
	Status        string               `gorm:"size:20;not null;default:''"`
	Explanation   string               `gorm:"type:text;not null;default:''"`
	PlannedDate   string               `gorm:"size:10;not null;default:''"`
	ReviewStatus  string               `gorm:"size:30;not null;default:'pending'"`
	LockVersion   int                  `gorm:"not null;default:1"`
	UpdatedByID   *uint
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (baselineAnswer) TableName() string { return "answers" }

type baselineEvidence struct {
	ID           uint            `gorm:"primaryKey"`
	AnswerID     uint            `gorm:"not null;index"`
	Answer       *baselineAnswer `gorm:"constraint:OnDelete:CASCADE"`
	Kind         string          `gorm:"size:10;not null"`
	URL          string          `gorm:"size:2000;not null;default:''"`
	FileName     string          `gorm:"size:255;not null;default:''"`
	ContentType  string          `gorm:"size:100;not null;default:''"`
	Size         int64           `gorm:"not null;default:0"`
	SHA256       string          `gorm:"size:64;not null;default:'';index"`
	StoragePath  string          `gorm:"size:300;not null;default:''"`
	UploadedByID uint            `gorm:"not null"`
	UploadedBy   *baselineUser   `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt    time.Time
}

func (baselineEvidence) TableName() string { return "evidence" }

type baselineScopeDomain struct {
	ID            uint                 `gorm:"primaryKey"`
	AttestationID uint                 `gorm:"not null;uniqueIndex:idx_scope_domain,priority:1"`
	Attestation   *baselineAttestation `gorm:"constraint:OnDelete:CASCADE"`
	Version       int                  `gorm:"not null;uniqueIndex:idx_scope_domain,priority:2"`
	Kind          string               `gorm:"size:10;not null;uniqueIndex:idx_scope_domain,priority:3"`
	Name          string               `gorm:"size:253;not null;uniqueIndex:idx_scope_domain,priority:4"`
	Position      int                  `gorm:"not null"`
}

func (baselineScopeDomain) TableName() string { return "scope_domains" }

type baselineSubmission struct {
	ID                   uint                 `gorm:"primaryKey"`
	AttestationID        uint                 `gorm:"not null;uniqueIndex:idx_submission_version,priority:1"`
	Attestation          *baselineAttestation `gorm:"constraint:OnDelete:CASCADE"`
	Version              int                  `gorm:"not null;uniqueIndex:idx_submission_version,priority:2"`
	Declarer             string               `gorm:"size:200;not null"`
	SubmittedByID        uint                 `gorm:"not null"`
	SubmittedBy          *baselineUser        `gorm:"constraint:OnDelete:RESTRICT"`
	SubmittedAt          time.Time            `gorm:"not null"`
	Receipt              string               `gorm:"size:64;not null;index"`
	Canonical            string               `gorm:"type:text;not null"`
	AmendedRequirementID *uint
}

func (baselineSubmission) TableName() string { return "submissions" }

type baselineInvitation struct {
	ID            uint                 `gorm:"primaryKey"`
	TenderID      uint                 `gorm:"not null;index"`
	Tender        *baselineTender      `gorm:"constraint:OnDelete:RESTRICT"`
	AttestationID uint                 `gorm:"not null;index"`
	Attestation   *baselineAttestation `gorm:"constraint:OnDelete:CASCADE"`
	UserID        uint                 `gorm:"not null;index"`
	User          *baselineUser        `gorm:"constraint:OnDelete:CASCADE"`
	Email         string               `gorm:"size:254;not null"`
	TokenHash     string               `gorm:"size:64;not null;uniqueIndex"`
	SetsPassword  bool                 `gorm:"not null;default:false"`
	ExpiresAt     time.Time            `gorm:"not null"`
	UsedAt        *time.Time
	RevokedAt     *time.Time
	CreatedByID   uint          `gorm:"not null"`
	CreatedBy     *baselineUser `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt     time.Time
}

func (baselineInvitation) TableName() string { return "invitations" }

type baselineReviewComment struct {
	ID            uint                 `gorm:"primaryKey"`
	AttestationID uint                 `gorm:"not null;index:idx_review_comment_answer,priority:1"`
	Attestation   *baselineAttestation `gorm:"constraint:OnDelete:CASCADE"`
	RequirementID uint                 `gorm:"not null;index:idx_review_comment_answer,priority:2"`
	Version       int                  `gorm:"not null"`
	Kind          string               `gorm:"size:20;not null"`
	Body          string               `gorm:"type:text;not null;default:''"`
	AuthorID      uint                 `gorm:"not null"`
	Author        *baselineUser        `gorm:"constraint:OnDelete:RESTRICT"`
	CreatedAt     time.Time
}

func (baselineReviewComment) TableName() string { return "review_comments" }

type baselineAuditEntry struct {
	ID            uint      `gorm:"primaryKey"`
	At            time.Time `gorm:"not null;index"`
	ActorID       *uint     `gorm:"index"`
	ActorEmail    string    `gorm:"size:254;not null;default:''"`
	ActorRole     string    `gorm:"size:20;not null;default:''"`
	Action        string    `gorm:"size:50;not null;index"`
	ObjectType    string    `gorm:"size:30;not null"`
	ObjectID      uint      `gorm:"not null"`
	AttestationID *uint     `gorm:"index"`
	TenderID      *uint     `gorm:"index"`
	Before        string    `gorm:"type:text;not null;default:''"`
	After         string    `gorm:"type:text;not null;default:''"`
}

func (baselineAuditEntry) TableName() string { return "audit_entries" }

type baselineProbeRun struct {
	ID            uint                 `gorm:"primaryKey"`
	AttestationID uint                 `gorm:"not null;index"`
	Attestation   *baselineAttestation `gorm:"constraint:OnDelete:CASCADE"`
	Version       int                  `gorm:"not null"`
	Queued        *bool                `gorm:"uniqueIndex:idx_probe_run_waiting"`
	QueuedFor     *uint                `gorm:"uniqueIndex:idx_probe_run_waiting"`
	Status        string               `gorm:"size:10;not null;index"`
	Reason        string               `gorm:"size:10;not null"`
	RequestedByID *uint
	Done          int        `gorm:"not null;default:0"`
	Total         int        `gorm:"not null;default:0"`
	LeaseOwner    string     `gorm:"size:80;not null;default:''"`
	LeaseUntil    *time.Time `gorm:"index"`
	Attempts      int        `gorm:"not null;default:0"`
	Error         string     `gorm:"type:text;not null;default:''"`
	CreatedAt     time.Time  `gorm:"not null;index"`
	StartedAt     *time.Time
	FinishedAt    *time.Time
}

func (baselineProbeRun) TableName() string { return "probe_runs" }

type baselineProbeResult struct {
	ID         uint              `gorm:"primaryKey"`
	RunID      uint              `gorm:"not null;uniqueIndex:idx_probe_result_domain,priority:1"`
	Run        *baselineProbeRun `gorm:"constraint:OnDelete:CASCADE"`
	Domain     string            `gorm:"size:253;not null;uniqueIndex:idx_probe_result_domain,priority:2;index"`
	DurationMS int64             `gorm:"not null;default:0"`
	Error      string            `gorm:"type:text;not null;default:''"`
	Checks     []any             `gorm:"type:text;serializer:json"`
	CreatedAt  time.Time         `gorm:"not null"`
}

func (baselineProbeResult) TableName() string { return "probe_results" }

type baselineVerification struct {
	ID            uint              `gorm:"primaryKey"`
	RunID         uint              `gorm:"not null;uniqueIndex:idx_verification_answer,priority:1"`
	Run           *baselineProbeRun `gorm:"constraint:OnDelete:CASCADE"`
	AttestationID uint              `gorm:"not null;index"`
	AnswerID      uint              `gorm:"not null;uniqueIndex:idx_verification_answer,priority:2;index"`
	Answer        *baselineAnswer   `gorm:"constraint:OnDelete:CASCADE"`
	RequirementID uint              `gorm:"not null;index"`
	Status        string            `gorm:"size:25;not null;index"`
	Checks        []any             `gorm:"type:text;serializer:json"`
	CheckedAt     time.Time         `gorm:"not null"`
}

func (baselineVerification) TableName() string { return "verifications" }

type baselineVerdictChange struct {
	ID            uint                 `gorm:"primaryKey"`
	AttestationID uint                 `gorm:"not null;index"`
	Attestation   *baselineAttestation `gorm:"constraint:OnDelete:CASCADE"`
	TenderID      uint                 `gorm:"not null;index"`
	RunID         uint                 `gorm:"not null;index"`
	PreviousRunID uint                 `gorm:"not null"`
	RequirementID uint                 `gorm:"not null"`
	Standard      string               `gorm:"size:200;not null"`
	From          string               `gorm:"column:from_status;size:25;not null"`
	To            string               `gorm:"column:to_status;size:25;not null"`
	Reason        string               `gorm:"size:10;not null"`
	At            time.Time            `gorm:"not null;index"`
}

func (baselineVerdictChange) TableName() string { return "verdict_changes" }
