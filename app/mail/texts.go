package mail

import "fmt"

// InvitationMail returns the subject and body of an invitation.
func InvitationMail(buyer, tender, reference, link string, deadline string) (string, string) {
	subject := "Invitation to answer tender " + reference
	if reference == "" {
		subject = "Invitation to answer a tender"
	}
	body := fmt.Sprintf("%s invites your organisation to answer the security requirements of the tender\n\n  %s\n\n"+
		"Open this link to set your password and answer each requirement (comply, or explain why not and by when):\n\n  %s\n\n", buyer, tender, link)
	if deadline != "" {
		body += "Answers must be submitted before " + deadline + ".\n\n"
	}
	body += "The link works once and expires. If you did not expect this message, ignore it.\n"
	return subject, body
}

// ReminderMail returns the subject and body of a deadline reminder.
func ReminderMail(tender, reference, path string, deadline string) (string, string) {
	name := reference
	if name == "" {
		name = tender
	}
	subject := "Reminder: your answers to " + name + " are not submitted yet"
	body := fmt.Sprintf("Your organisation's answers to the tender\n\n  %s\n\nare not submitted yet. The deadline is %s; after it nothing can be submitted.\n\n"+
		"Log in to Tenderprobe and open %s to finish and submit them.\n", tender, deadline, path)
	return subject, body
}

// ColleagueInvitationMail returns the subject and body of an invitation to
// join a supplier organisation.
func ColleagueInvitationMail(inviter, org, link string) (string, string) {
	subject := "Invitation to join " + org + " on Tenderprobe"
	body := fmt.Sprintf("%s invites you to answer the security requirements of tenders for %s on Tenderprobe.\n\n"+
		"Open this link to set your password:\n\n  %s\n\nThe link works once and expires. If you did not expect this message, ignore it.\n",
		inviter, org, link)
	return subject, body
}
