package mail

import "time"

// StandingExpiryMail returns the subject and body of the reminder that a
// supplier's standing answer (its answer library) expires: in lang (the
// vendor's own language), naming the organisation, the standard, the last
// valid day, how many days are left and the link to renew it.
func StandingExpiryMail(lang, org, standard string, validUntil time.Time, daysLeft int, link string) (string, string) {
	date := catalogue().Date(lang, validUntil)
	subject := text(lang, "mail.library_expiry.subject", "standard", standard, "date", date)
	body := text(lang, "mail.library_expiry.body", "org", org, "standard", standard, "date", date, "count", daysLeft, "link", link)
	return oneLine(subject), body
}
