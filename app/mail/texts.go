package mail

import (
	"strings"
	"time"

	"tenderprobe/app/i18n"
)

// The texts of the mails live in the message files under mail.: a mail
// about a tender (invitation, reminder, changed verdicts) is in the
// tender's language, so the supplier reads what the buyer published; an
// invitation of a colleague is in the inviter's language.

var catalogue = i18n.Messages

func text(lang, key string, pairs ...any) string { return catalogue().T(lang, key, pairs...) }

// oneLine makes a subject one line: it is a header, and names typed by
// users (a title, a reference, an organisation) written before the
// models kept them to one line may hold breaks, which Send refuses.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// InvitationMail returns the subject and body of an invitation to answer
// a tender, in lang (the tender's language), with the deadline, if any, in
// zone and the zone named. setsPassword says the link opens a new account
// (its holder sets a password); otherwise the vendor has one and logs in,
// and a mail asking them to set a password would read as phishing.
func InvitationMail(lang string, zone *time.Location, buyer, tender, reference, link string, deadline *time.Time, setsPassword bool) (string, string) {
	subject := text(lang, "mail.invitation.subject", "reference", reference)
	if reference == "" {
		subject = text(lang, "mail.invitation.subject_no_reference")
	}
	key := "mail.invitation.body"
	if !setsPassword {
		key = "mail.invitation.body_log_in"
	}
	body := text(lang, key, "buyer", buyer, "tender", tender, "link", link)
	if deadline != nil {
		body += text(lang, "mail.invitation.deadline", "deadline", catalogue().DateTime(lang, *deadline, zone))
	}
	body += text(lang, "mail.link_once")
	return oneLine(subject), body
}

// ReminderMail returns the subject and body of a deadline reminder in
// lang (the tender's language), with the deadline in zone and the zone
// named.
func ReminderMail(lang string, zone *time.Location, tender, reference, link string, deadline time.Time) (string, string) {
	name := reference
	if name == "" {
		name = tender
	}
	subject := text(lang, "mail.reminder.subject", "name", name)
	body := text(lang, "mail.reminder.body", "tender", tender, "deadline", catalogue().DateTime(lang, deadline, zone), "link", link)
	return oneLine(subject), body
}

// ColleagueInvitationMail returns the subject and body of an invitation to
// join a supplier organisation, in lang (the inviter's language).
func ColleagueInvitationMail(lang, inviter, org, link string) (string, string) {
	subject := text(lang, "mail.colleague.subject", "org", org)
	body := text(lang, "mail.colleague.body", "inviter", inviter, "org", org, "link", link) + text(lang, "mail.link_once")
	return oneLine(subject), body
}

// VerdictChange is one changed verdict for VerdictChangeMail: the
// standard's name and the verdict codes before and after.
type VerdictChange struct {
	Standard, From, To string
}

// VerdictChangeMail returns the subject and body of the mail that tells a
// tender's officers that a probe run changed verdicts, in lang (the
// tender's language); path is the attestation's verification page.
func VerdictChangeMail(lang, supplier, tender, path string, changes []VerdictChange) (string, string) {
	subject := text(lang, "mail.verdict_change.subject", "count", len(changes), "supplier", supplier)
	body := text(lang, "mail.verdict_change.body", "supplier", supplier, "tender", tender)
	for _, c := range changes {
		body += text(lang, "mail.verdict_change.line", "standard", c.Standard, "from", verdictWord(c.From), "to", verdictWord(c.To))
	}
	body += text(lang, "mail.verdict_change.footer", "path", path)
	return oneLine(subject), body
}

// verdictWord makes "" (no verdict yet) the code review.verdict.none has
// words for.
func verdictWord(code string) string {
	if code == "" {
		return "none"
	}
	return code
}
