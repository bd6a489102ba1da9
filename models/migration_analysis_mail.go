package models

import (
	"time"

	"gorm.io/gorm"
)

// addAnalysisMail is the migration of issue 15's mail of an analysis to a
// tender's contact: the e-mail addresses found in an uploaded document
// (tender_documents.contacts, suggested as recipients), the record of
// every mail sent (analysis_mails) and the rate limit per analysis and
// recipient (analysis_mail_limits).
func addAnalysisMail(tx *gorm.DB) error {
	if !tx.Migrator().HasColumn(&tenderDocument0023{}, "Contacts") {
		if err := tx.Migrator().AddColumn(&tenderDocument0023{}, "Contacts"); err != nil {
			return wrap(err, "tender_documents: add contacts")
		}
	}
	if !tx.Migrator().HasTable(&analysisMail0023{}) {
		if err := tx.Migrator().CreateTable(&analysisMail0023{}); err != nil {
			return wrap(err, "create analysis_mails")
		}
	}
	if !tx.Migrator().HasTable(&analysisMailLimit0023{}) {
		if err := tx.Migrator().CreateTable(&analysisMailLimit0023{}); err != nil {
			return wrap(err, "create analysis_mail_limits")
		}
	}
	return nil
}

type tenderDocument0023 struct {
	ID       uint     `gorm:"primaryKey"`
	Contacts []string `gorm:"type:text;serializer:json"`
}

func (tenderDocument0023) TableName() string { return "tender_documents" }

type analysisMail0023 struct {
	ID          uint                `gorm:"primaryKey"`
	DocumentID  *uint               `gorm:"index"`
	Document    *tenderDocument0020 `gorm:"constraint:OnDelete:CASCADE"`
	TenderID    *uint               `gorm:"index"`
	Tender      *baselineTender     `gorm:"constraint:OnDelete:CASCADE"`
	OrgID       *uint               `gorm:"index"`
	Org         *baselineOrg        `gorm:"constraint:OnDelete:RESTRICT"`
	SenderID    uint                `gorm:"not null;index"`
	Sender      *baselineUser       `gorm:"constraint:OnDelete:RESTRICT"`
	Recipient   string              `gorm:"size:254;not null"`
	Language    string              `gorm:"size:16;not null"`
	Subject     string              `gorm:"size:400;not null"`
	ContentHash string              `gorm:"size:64;not null"`
	SentAt      time.Time           `gorm:"not null"`
}

func (analysisMail0023) TableName() string { return "analysis_mails" }

type analysisMailLimit0023 struct {
	Target    string    `gorm:"primaryKey;size:40"`
	Recipient string    `gorm:"primaryKey;size:254"`
	HeldUntil time.Time `gorm:"not null"`
}

func (analysisMailLimit0023) TableName() string { return "analysis_mail_limits" }
