package models

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Kinds of review comment.
const (
	CommentAccept        = "accept"
	CommentClarification = "clarification"
	CommentReply         = "reply"
	CommentAmendment     = "amendment"
)

// MaxCommentLength bounds a review comment.
const MaxCommentLength = 5000

// ReviewComment is one message in the thread about one answer of an
// attestation. The thread belongs to the requirement, not to a version, so
// it continues across amendments.
type ReviewComment struct {
	ID            uint         `gorm:"primaryKey" json:"id"`
	AttestationID uint         `gorm:"not null;index:idx_review_comment_answer,priority:1" json:"attestation_id"`
	Attestation   *Attestation `gorm:"constraint:OnDelete:CASCADE" json:"-"`
	RequirementID uint         `gorm:"not null;index:idx_review_comment_answer,priority:2" json:"requirement_id"`
	Version       int          `gorm:"not null" json:"version"`
	Kind          string       `gorm:"size:20;not null" json:"kind"`
	Body          string       `gorm:"type:text;not null;default:''" json:"body"`
	AuthorID      uint         `gorm:"not null" json:"author_id"`
	Author        *User        `gorm:"constraint:OnDelete:RESTRICT" json:"author,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
}

// AnswerKey names an answer by its attestation and requirement.
type AnswerKey struct{ AttestationID, RequirementID uint }

// RepliedClarifications returns, among the answers of attestations attIDs
// whose clarification was asked, those the vendor has replied to since:
// their newest comment is the vendor's reply. They wait for the buyer
// now, not the vendor.
func RepliedClarifications(ctx context.Context, db *gorm.DB, attIDs []uint) (map[AnswerKey]bool, error) {
	out := map[AnswerKey]bool{}
	if len(attIDs) == 0 {
		return out, nil
	}
	var rows []AnswerKey
	err := db.WithContext(ctx).Table("review_comments c").Select("c.attestation_id, c.requirement_id").
		Joins("JOIN attestations a ON a.id = c.attestation_id AND a.version = c.version").
		Joins("JOIN answers an ON an.attestation_id = c.attestation_id AND an.version = c.version AND an.requirement_id = c.requirement_id").
		Where("c.attestation_id IN ? AND an.review_status = ? AND c.kind = ?", attIDs, ReviewClarification, CommentReply).
		Where("c.id = (SELECT MAX(l.id) FROM review_comments l WHERE l.attestation_id = c.attestation_id AND l.requirement_id = c.requirement_id AND l.version = c.version)").
		Scan(&rows).Error
	if err != nil {
		return nil, wrap(err, "replied clarifications")
	}
	for _, r := range rows {
		out[r] = true
	}
	return out, nil
}

// ReviewDecision is an officer's verdict on one answer.
type ReviewDecision struct {
	// Decision is "accept" or "clarify".
	Decision string
	Comment  string
	// Confirmed says the officer has seen the probe evidence and accepts
	// the answer although the probes contradict it (ConfirmBeforeAccept);
	// without it such an accept is refused with ErrAcceptContradicted.
	Confirmed bool
	// TenderID, when set, is the tender the attestation must belong to
	// (the review matrix names both); another tender's gives ErrNotFound.
	TenderID uint
}

// ErrAcceptContradicted refuses to accept an answer the newest probe run
// of its version contradicts until the officer confirms it after seeing
// the evidence (ReviewDecision.Confirmed).
var ErrAcceptContradicted = &StateError{Code: "accept_contradicted"}

// ConfirmBeforeAccept is the rule of when accepting an answer needs the
// officer's explicit confirmation: when the probes contradict it. verdict
// is the answer's newest verdict ("" when none).
func ConfirmBeforeAccept(verdict string) bool {
	return verdict == VerdictContradicted
}

// checkComment trims the text of form field field and checks its length;
// an empty text is refused with code ifEmpty unless that is "".
func checkComment(field, body, ifEmpty string) (string, error) {
	body = strings.TrimSpace(body)
	if ifEmpty != "" && body == "" {
		return "", invalid(field, ifEmpty)
	}
	if utf8.RuneCountInString(body) > MaxCommentLength {
		return "", invalid(field, "too_long", "max", MaxCommentLength)
	}
	return body, nil
}

// ReviewAnswer records the officer's decision on the answer to requirement
// reqID of submitted attestation attID: accepting it (which also accepts a
// mandatory requirement's not-applicable explanation) or asking for
// clarification with a comment.
func ReviewAnswer(ctx context.Context, db *gorm.DB, by *User, attID, reqID uint, d ReviewDecision, now time.Time) (*Answer, error) {
	var kind string
	switch d.Decision {
	case "accept":
		kind = CommentAccept
	case "clarify":
		kind = CommentClarification
	default:
		return nil, invalid("decision", "not_one_of", "value", d.Decision, "allowed", []string{"accept", "clarify"})
	}
	ifEmpty := ""
	if kind == CommentClarification {
		ifEmpty = "clarification_required"
	}
	body, err := checkComment("comment", d.Comment, ifEmpty)
	if err != nil {
		return nil, err
	}
	var out *Answer
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, err := lockAttestation(tx, attID)
		if err != nil {
			return err
		}
		if d.TenderID != 0 && a.TenderID != d.TenderID {
			return wrap(ErrNotFound, "attestation %d on tender %d", attID, d.TenderID)
		}
		if err := a.ReviewableBy(by); err != nil {
			return wrap(err, "review attestation %d", attID)
		}
		an, err := currentAnswer(tx, a, reqID)
		if err != nil {
			return err
		}
		if kind == CommentAccept && !d.Confirmed {
			verdict, err := answerVerdict(tx, a, an.ID)
			if err != nil {
				return err
			}
			if ConfirmBeforeAccept(verdict) {
				return wrap(ErrAcceptContradicted, "accept answer %d", an.ID)
			}
		}
		out = an
		return recordReview(tx, by, a, an, d.Decision, body, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reviewRecord is what one review decision writes: the answer's new
// review status, the comment in its thread and the audit entry with the
// answer before and after. A single accept and a bulk accept build it
// with newReviewRecord, so they write the same records.
type reviewRecord struct {
	answerID      uint
	status        string
	comment       ReviewComment
	audit         AuditEntry
	before, after any
}

func newReviewRecord(by *User, a *Attestation, an *Answer, decision, body string, now time.Time) reviewRecord {
	status, kind := ReviewAccepted, CommentAccept
	if decision == "clarify" {
		status, kind = ReviewClarification, CommentClarification
	}
	return reviewRecord{
		answerID: an.ID, status: status,
		comment: ReviewComment{AttestationID: a.ID, RequirementID: an.RequirementID, Version: a.Version, Kind: kind, Body: body, AuthorID: by.ID, CreatedAt: now},
		audit:   AuditEntry{Action: "review." + decision, ObjectType: "answer", ObjectID: an.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
		before:  snapshotOf(an), after: map[string]any{"review_status": status, "comment": body},
	}
}

// recordReview writes one review decision on answer an of a and sets its
// new review status.
func recordReview(tx *gorm.DB, by *User, a *Attestation, an *Answer, decision, body string, now time.Time) error {
	r := newReviewRecord(by, a, an, decision, body, now)
	if err := writeReviews(tx, by, []reviewRecord{r}, now); err != nil {
		return err
	}
	an.ReviewStatus = r.status
	return nil
}

// writeReviews writes records in a few statements: the answers' review
// status per status in chunks, the comments in batches, and an audit
// entry each.
func writeReviews(tx *gorm.DB, by *User, records []reviewRecord, now time.Time) error {
	const chunk = 500
	byStatus := map[string][]uint{}
	comments := make([]ReviewComment, len(records))
	for i, r := range records {
		byStatus[r.status] = append(byStatus[r.status], r.answerID)
		comments[i] = r.comment
	}
	for status, ids := range byStatus {
		for start := 0; start < len(ids); start += chunk {
			part := ids[start:min(start+chunk, len(ids))]
			if err := tx.Model(&Answer{}).Where("id IN ?", part).Updates(map[string]any{"review_status": status, "updated_at": now}).Error; err != nil {
				return wrap(err, "review %d answers", len(part))
			}
		}
	}
	if len(comments) > 0 {
		if err := tx.Omit("Attestation", "Author").CreateInBatches(comments, chunk).Error; err != nil {
			return wrap(err, "review %d answers: comments", len(comments))
		}
	}
	// Each entry names the standard its answer is to: ten accepted answers
	// of a bulk review were otherwise ten entries alike.
	reqIDs := make([]uint, 0, len(records))
	for _, r := range records {
		reqIDs = append(reqIDs, r.comment.RequirementID)
	}
	slugs, err := requirementSlugs(tx, reqIDs)
	if err != nil {
		return err
	}
	for _, r := range records {
		if after, ok := r.after.(map[string]any); ok && slugs[r.comment.RequirementID] != "" {
			after["standard"] = slugs[r.comment.RequirementID]
		}
		if err := writeAudit(tx, by, now, r.audit, r.before, r.after); err != nil {
			return err
		}
	}
	return nil
}

// requirementSlugs maps requirement ids to their standards' codes.
func requirementSlugs(tx *gorm.DB, ids []uint) (map[uint]string, error) {
	out := make(map[uint]string, len(ids))
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		var rows []struct {
			ID   uint
			Slug string
		}
		err := tx.Table("requirements q").Select("q.id, s.slug").Joins("JOIN standards s ON s.id = q.standard_id").
			Where("q.id IN ?", ids[start:min(start+chunk, len(ids))]).Scan(&rows).Error
		if err != nil {
			return nil, wrap(err, "standards of %d requirements", len(ids))
		}
		for _, r := range rows {
			out[r.ID] = r.Slug
		}
	}
	return out, nil
}

// answerVerdict is the verdict on answer answerID in the newest done
// probe run of a's current version, or "" when no run has finished.
func answerVerdict(tx *gorm.DB, a *Attestation, answerID uint) (string, error) {
	var statuses []string
	err := tx.Model(&Verification{}).
		Where("answer_id = ? AND run_id = (SELECT MAX(r.id) FROM probe_runs r WHERE r.attestation_id = ? AND r.version = ? AND r.status = ? AND r.reason <> ?)", answerID, a.ID, a.Version, RunDone, RunReasonSelf).
		Pluck("status", &statuses).Error
	if err != nil {
		return "", wrap(err, "answer %d: verdict", answerID)
	}
	if len(statuses) == 0 {
		return "", nil
	}
	return statuses[0], nil
}

// clarifiable locks attestation attID, reads the current answer to reqID
// and checks ClarifiableBy(by, answer).
func clarifiable(tx *gorm.DB, by *User, attID, reqID uint) (*Attestation, *Answer, error) {
	a, err := lockAttestation(tx, attID)
	if err != nil {
		return nil, nil, err
	}
	an, err := currentAnswer(tx, a, reqID)
	if err != nil {
		return nil, nil, err
	}
	if err := a.ClarifiableBy(by, an); err != nil {
		return nil, nil, wrap(err, "clarify answer %d", an.ID)
	}
	return a, an, nil
}

// ReplyToReview adds the vendor's reply to the thread of an answer the
// officer asked to clarify.
func ReplyToReview(ctx context.Context, db *gorm.DB, by *User, attID, reqID uint, body string, now time.Time) (*ReviewComment, error) {
	body, err := checkComment("reply", body, "required")
	if err != nil {
		return nil, err
	}
	var out *ReviewComment
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, an, err := clarifiable(tx, by, attID, reqID)
		if err != nil {
			return err
		}
		c := ReviewComment{AttestationID: a.ID, RequirementID: reqID, Version: a.Version, Kind: CommentReply, Body: body, AuthorID: by.ID, CreatedAt: now}
		if err := tx.Omit("Attestation", "Author").Create(&c).Error; err != nil {
			return wrap(err, "reply to review of answer %d", an.ID)
		}
		out = &c
		return writeAudit(tx, by, now, AuditEntry{Action: "review.reply", ObjectType: "answer", ObjectID: an.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
			nil, map[string]any{"reply": body})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AmendAnswer changes the one answer the officer asked to clarify after
// submission. Because the submitted version and its receipt must stay as
// declared, the amendment makes version n+1: a copy of version n with only
// this answer changed, submitted at once with a new receipt under the
// vendor's renewed declaration. The other answers keep their review status;
// the amended one goes back to pending. The comment explains the change.
// Amending is allowed after the deadline, as it answers the buyer's request.
func AmendAnswer(ctx context.Context, db *gorm.DB, by *User, attID, reqID uint, in AnswerInput, comment string, decl SubmitInput, now time.Time) (*Submission, error) {
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	comment, err := checkComment("comment", comment, "change_comment_required")
	if err != nil {
		return nil, err
	}
	decl.Declarer = strings.TrimSpace(decl.Declarer)
	if missing := decl.missing(); len(missing) > 0 {
		return nil, &MissingError{Missing: missing}
	}
	var out *Submission
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a, an, err := clarifiable(tx, by, attID, reqID)
		if err != nil {
			return err
		}
		if err := an.checkLock(in.LockVersion); err != nil {
			return err
		}
		before := snapshotOf(an)
		if err := copyVersion(tx, a, func(id uint) bool { return id != reqID }, now); err != nil {
			return err
		}
		next := a.Version + 1
		res := tx.Model(&Answer{}).Where("attestation_id = ? AND version = ? AND requirement_id = ?", a.ID, next, reqID).Updates(map[string]any{
			"status": in.Status, "explanation": in.Explanation, "planned_date": in.PlannedDate,
			"review_status": ReviewPending, "updated_by_id": by.ID, "updated_at": now,
		})
		if res.Error != nil || res.RowsAffected != 1 {
			return wrap(res.Error, "amend answer to requirement %d", reqID)
		}
		if in.EvidenceURL != "" {
			na, err := currentAnswer(tx, &Attestation{ID: a.ID, Version: next}, reqID)
			if err != nil {
				return err
			}
			if _, err := addURLEvidence(tx, by, na, in.EvidenceURL, now); err != nil {
				return err
			}
		}
		if err := tx.Model(&Attestation{}).Where("id = ?", a.ID).
			Updates(map[string]any{"version": next, "scope_lock": a.ScopeLock + 1, "updated_at": now}).Error; err != nil {
			return wrap(err, "amend attestation %d", a.ID)
		}
		a.Version = next
		c := ReviewComment{AttestationID: a.ID, RequirementID: reqID, Version: next, Kind: CommentAmendment, Body: comment, AuthorID: by.ID, CreatedAt: now}
		if err := tx.Omit("Attestation", "Author").Create(&c).Error; err != nil {
			return wrap(err, "amend answer: comment")
		}
		if err := writeAudit(tx, by, now, AuditEntry{Action: "answer.amend", ObjectType: "answer", ObjectID: an.ID, AttestationID: &a.ID, TenderID: &a.TenderID},
			before, answerSnapshot{Status: in.Status, Explanation: in.Explanation, PlannedDate: in.PlannedDate, Review: ReviewPending, LockVersion: 1}); err != nil {
			return err
		}
		rid := reqID
		out, err = storeSubmission(tx, by, a, decl.Declarer, &rid, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListReviewComments returns the threads of attestation attID, oldest
// first, with their authors, keyed by requirement.
func ListReviewComments(ctx context.Context, db *gorm.DB, attID uint) (map[uint][]ReviewComment, error) {
	var list []ReviewComment
	if err := db.WithContext(ctx).Preload("Author").Where("attestation_id = ?", attID).Order("id").Find(&list).Error; err != nil {
		return nil, wrap(err, "review comments of attestation %d", attID)
	}
	out := map[uint][]ReviewComment{}
	for _, c := range list {
		out[c.RequirementID] = append(out[c.RequirementID], c)
	}
	return out, nil
}

// MatrixRow is one requirement with a cell per attestation, in column order.
type MatrixRow struct {
	Requirement Requirement
	Cells       []MatrixCell
}

// ReviewMatrix is every vendor of a tender side by side, as the JSON API
// gives it: the attestations with their details and a row per requirement.
type ReviewMatrix struct {
	Tender       *Tender
	Attestations []Attestation
	Rows         []MatrixRow
}

// BuildReviewMatrix returns the requirement x vendor matrix of tender
// tenderID for viewer, who must be allowed to see the tender (ErrNotFound)
// and its answers (Tender.AnswersReadableBy). The cells come from
// LoadMatrixGrid, the attestations' details from ListAttestations.
func BuildReviewMatrix(ctx context.Context, db *gorm.DB, viewer *User, tenderID uint) (*ReviewMatrix, error) {
	g, err := LoadMatrixGrid(ctx, db, viewer, tenderID)
	if err != nil {
		return nil, err
	}
	atts, err := ListAttestations(ctx, db, viewer, AttestationFilter{TenderID: tenderID})
	if err != nil {
		return nil, err
	}
	col := make(map[uint]int, len(g.Vendors))
	for i, v := range g.Vendors {
		col[v.AttestationID] = i
	}
	m := &ReviewMatrix{Tender: g.Tender, Attestations: atts}
	for j, r := range g.Requirements {
		row := MatrixRow{Requirement: r, Cells: make([]MatrixCell, len(atts))}
		for k := range atts {
			if i, ok := col[atts[k].ID]; ok {
				row.Cells[k] = g.Cells[i][j]
			} else {
				row.Cells[k].AttestationID = atts[k].ID
			}
		}
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}
