package mail

import (
	"strings"
	"testing"
	"time"
)

func TestMailsAreInTheTendersLanguage(t *testing.T) {
	t.Parallel()
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Date(2027, 1, 4, 22, 59, 0, 0, time.UTC) // 23:59 in Amsterdam
	tests := []struct {
		name          string
		subject, body string
		want, notWant []string
	}{
		{"an invitation to a Dutch tender is in Dutch, with the deadline in the tender's zone",
			subjectOf(InvitationMail("nl", amsterdam, "Gemeente Demostad", "Hosting", "DSC-1", "https://tp.test/invitations/abc", &deadline, true)),
			second(InvitationMail("nl", amsterdam, "Gemeente Demostad", "Hosting", "DSC-1", "https://tp.test/invitations/abc", &deadline, true)),
			[]string{"Uitnodiging om aanbesteding DSC-1 te beantwoorden", "Gemeente Demostad nodigt uw organisatie uit", "Dien uw antwoorden in vóór 4 jan 2027 23:59 CET",
				"https://tp.test/invitations/abc", "De link werkt één keer"},
			[]string{"invites", "Answers must", "The link", "UTC"}},
		{"an invitation to a Spanish tender is in Spanish",
			subjectOf(InvitationMail("es", time.UTC, "Ayuntamiento", "Alojamiento", "", "https://tp.test/invitations/x", nil, true)),
			second(InvitationMail("es", time.UTC, "Ayuntamiento", "Alojamiento", "", "https://tp.test/invitations/x", nil, true)),
			[]string{"Invitación a responder a una licitación", "Ayuntamiento invita a su organización", "El enlace funciona una sola vez"},
			[]string{"invites", "Answers must", "plazo"}},
		{"a reminder for a Dutch tender is in Dutch",
			subjectOf(ReminderMail("nl", amsterdam, "Hosting", "DSC-1", "https://tp.test/attestations/7", deadline)),
			second(ReminderMail("nl", amsterdam, "Hosting", "DSC-1", "https://tp.test/attestations/7", deadline)),
			[]string{"Herinnering: uw antwoorden op DSC-1 zijn nog niet ingediend", "De sluitingstermijn is 4 jan 2027 23:59 CET", "https://tp.test/attestations/7"},
			[]string{"Reminder", "deadline"}},
		{"a colleague's invitation is in the inviter's language",
			subjectOf(ColleagueInvitationMail("es", "Ana", "Proveedor SA", "https://tp.test/invitations/c")),
			second(ColleagueInvitationMail("es", "Ana", "Proveedor SA", "https://tp.test/invitations/c")),
			[]string{"Invitación a unirse a Proveedor SA en Tenderprobe", "Ana le invita", "https://tp.test/invitations/c"},
			[]string{"invites you"}},
		{"changed verdicts read as words in the tender's language, never as codes",
			subjectOf(VerdictChangeMail("nl", "Hoster BV", "Hosting", "/attestations/7/verification", []VerdictChange{{"DNSSEC", "confirmed", "contradicted"}, {"DMARC", "", "better_than_declared"}})),
			second(VerdictChangeMail("nl", "Hoster BV", "Hosting", "/attestations/7/verification", []VerdictChange{{"DNSSEC", "confirmed", "contradicted"}, {"DMARC", "", "better_than_declared"}})),
			[]string{"Tenderprobe: 2 oordelen gewijzigd voor Hoster BV", "DNSSEC: bevestigd → tegengesproken", "DMARC: niet geverifieerd → beter dan verklaard"},
			[]string{"better_than_declared", "contradicted", "confirmed", "changed"}},
		{"one changed verdict is singular in English",
			subjectOf(VerdictChangeMail("en", "Hoster", "Hosting", "/p", []VerdictChange{{"DNSSEC", "confirmed", "contradicted"}})), "",
			[]string{"Tenderprobe: 1 verdict changed for Hoster"}, []string{"verdicts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := tt.subject + "\n" + tt.body
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("the mail lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(all, w) {
					t.Errorf("the mail has %q:\n%s", w, all)
				}
			}
		})
	}
}

func subjectOf(a, _ string) string { return a }
func second(_, b string) string    { return b }

// TestEverySubjectIsOneLine: names users typed go into subjects, and a
// break in one (a tender saved through the API before titles were kept to
// one line) made Send refuse every mail about it.
func TestEverySubjectIsOneLine(t *testing.T) {
	t.Parallel()
	const broken = "Cloud\r\nBcc: x@evil.example\n"
	now := time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		subject string
	}{
		{"an invitation", subjectOf(InvitationMail("en", time.UTC, broken, broken, broken, "https://x.test/l", &now, true))},
		{"a reminder", subjectOf(ReminderMail("nl", time.UTC, broken, broken, "https://x.test/l", now))},
		{"a reminder without reference", subjectOf(ReminderMail("es", time.UTC, broken, "", "https://x.test/l", now))},
		{"a colleague's invitation", subjectOf(ColleagueInvitationMail("en", broken, broken, "https://x.test/l"))},
		{"changed verdicts", subjectOf(VerdictChangeMail("en", broken, broken, "/x", []VerdictChange{{Standard: broken, From: "", To: "confirmed"}}))},
		{"a library answer expiring", subjectOf(StandingExpiryMail("en", broken, broken, now, 3, "https://x.test/l"))},
	} {
		if strings.ContainsAny(tc.subject, "\r\n") || tc.subject == "" {
			t.Errorf("%s: subject %q", tc.name, tc.subject)
		}
	}
}
