package models

import (
	"time"

	"gorm.io/gorm"
)

// The rules of who may do what with an attestation and when. Each is
// written once, here, and used by every caller: the models functions that
// make the change check it inside their transaction, and the pages use it
// to offer only what will be allowed. Each needs a.Tender loaded and
// returns nil or the error that says why not: a *ForbiddenError for the
// wrong user, a *StateError (ErrTenderNotOpen, ErrDeadlinePassed,
// ErrAttestationLocked, ErrNotSubmitted, …) for the wrong moment.

// vendor reports whether u is an enabled vendor of a's supplier.
func (a *Attestation) vendor(u *User) bool {
	return u != nil && !u.Disabled && u.Role == RoleVendor && u.OrgID != nil && *u.OrgID == a.SupplierOrgID
}

// takesAnswers says whether a's tender takes answers at now (Tender.open).
func (a *Attestation) takesAnswers(now time.Time) error {
	if a.Tender == nil {
		return ErrTenderNotOpen
	}
	return a.Tender.open(now)
}

// EditableBy says whether u may change the answers, evidence and scope of
// a's current version at now: only a vendor of the supplier, while the
// tender is published and before its deadline, and only a draft
// (ErrAttestationLocked once it is submitted).
func (a *Attestation) EditableBy(u *User, now time.Time) error {
	if !a.vendor(u) {
		return &ForbiddenError{Code: "not_vendor"}
	}
	if err := a.takesAnswers(now); err != nil {
		return err
	}
	if a.Submitted() {
		return ErrAttestationLocked
	}
	return nil
}

// SubmittableBy says whether u may submit a's current version at now.
// Submitting is the last change of a draft, so the rule is EditableBy's;
// whether the answers are complete is Submit's *MissingError.
func (a *Attestation) SubmittableBy(u *User, now time.Time) error {
	return a.EditableBy(u, now)
}

// ReopenableBy says whether u may reopen a at now as a new draft version:
// only a vendor of the supplier, while the tender is published and before
// its deadline, and only a submitted version (ErrNotSubmitted).
func (a *Attestation) ReopenableBy(u *User, now time.Time) error {
	if !a.vendor(u) {
		return &ForbiddenError{Code: "not_vendor"}
	}
	if err := a.takesAnswers(now); err != nil {
		return err
	}
	if !a.Submitted() {
		return ErrNotSubmitted
	}
	return nil
}

// ReviewableBy says whether u may review a's answers (accept them or ask
// for clarification): whoever manages the tender (Tender.ManageableBy),
// once a is submitted. The deadline does not matter: review follows it.
func (a *Attestation) ReviewableBy(u *User) error {
	if err := a.managedBy(u); err != nil {
		return err
	}
	if !a.Submitted() {
		return ErrNotSubmitted
	}
	return nil
}

// VerifiableBy says whether u may ask for a probe run of a: the same
// people as ReviewableBy, for the same submitted versions.
func (a *Attestation) VerifiableBy(u *User) error {
	return a.ReviewableBy(u)
}

// ClarifiableBy says whether u may reply to the review of answer an of a
// or amend it: only a vendor of the supplier, once a is submitted and the
// officer has asked for clarification of an. Clarifying is allowed after
// the deadline, as it answers the buyer's request.
func (a *Attestation) ClarifiableBy(u *User, an *Answer) error {
	if !a.vendor(u) {
		return &ForbiddenError{Code: "not_vendor"}
	}
	if !a.Submitted() {
		return ErrNotSubmitted
	}
	if an.ReviewStatus != ReviewClarification {
		return newState("no_clarification_asked")
	}
	return nil
}

// managedBy says whether u manages the tender a answers.
func (a *Attestation) managedBy(u *User) error {
	if a.Tender == nil {
		return &ForbiddenError{Code: "not_buyer"}
	}
	return a.Tender.ManageableBy(u)
}

// editableBy locks attestation id and checks EditableBy(by, now).
func editableBy(tx *gorm.DB, by *User, id uint, now time.Time) (*Attestation, error) {
	a, err := lockAttestation(tx, id)
	if err != nil {
		return nil, err
	}
	if err := a.EditableBy(by, now); err != nil {
		return nil, wrap(err, "change attestation %d", id)
	}
	return a, nil
}
