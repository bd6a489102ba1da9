package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"regexp"
	"slices"
	"strings"
)

// AnalysisStandard is one standard in the mail of an analysis: its name
// in the mail's language, its status code (requested, mentioned, absent)
// and, for a missing one, the clause to add in the mail's language.
type AnalysisStandard struct {
	Name, Status, Clause string
}

// Analysis is what the mail of an analysis says: which document (or
// tender built in Tenderprobe), for which kinds of ICT, which relevant
// standards it requests and which it misses, with the clause to add for
// each, who sends it and, when the recipient could open it, the link to
// the analysis page.
type Analysis struct {
	Document string
	// Platform marks a tender built in Tenderprobe rather than an
	// uploaded document.
	Platform  bool
	Kinds     []string
	Requested []AnalysisStandard
	Missing   []AnalysisStandard
	Sender    string
	SenderOrg string
	// Link is the analysis page, empty when the recipient has no account
	// that may open it.
	Link string
}

// AnalysisMail returns the subject and plain-text body of the mail that
// tells a tender's contact the result of its analysis, in lang (the
// document's language).
func AnalysisMail(lang string, a Analysis) (string, string) {
	// A header is one line: a name with a line break would make Send
	// refuse the mail.
	subject := strings.NewReplacer("\r", " ", "\n", " ").Replace(text(lang, "analysismail.mail.subject", "name", a.Document))
	var b strings.Builder
	b.WriteString(text(lang, "analysismail.mail.greeting"))
	from := a.Sender
	if a.SenderOrg != "" {
		from = text(lang, "analysismail.mail.sender_of", "name", a.Sender, "org", a.SenderOrg)
	}
	intro := "analysismail.mail.intro_document"
	if a.Platform {
		intro = "analysismail.mail.intro_tender"
	}
	b.WriteString(text(lang, intro, "sender", from, "name", a.Document))
	relevant := len(a.Requested) + len(a.Missing)
	if len(a.Kinds) == 0 || relevant == 0 {
		b.WriteString(text(lang, "analysismail.mail.no_kinds"))
	} else {
		b.WriteString(text(lang, "analysismail.mail.kinds", "kinds", strings.Join(a.Kinds, ", ")))
		b.WriteString(text(lang, "analysismail.mail.summary", "count", relevant, "requested", len(a.Requested)))
	}
	if len(a.Requested) > 0 {
		b.WriteString(text(lang, "analysismail.mail.requested_heading", "count", len(a.Requested)))
		for _, s := range a.Requested {
			b.WriteString("  - " + s.Name + "\n")
		}
	}
	if len(a.Missing) > 0 {
		b.WriteString(text(lang, "analysismail.mail.missing_heading", "count", len(a.Missing)))
		for _, s := range a.Missing {
			b.WriteString("\n  - " + s.Name + " (" + text(lang, "analysismail.mail.status."+s.Status) + ")\n")
			if s.Clause != "" {
				b.WriteString("    " + text(lang, "analysismail.mail.clause_label") + "\n")
				for _, line := range strings.Split(strings.TrimSpace(s.Clause), "\n") {
					b.WriteString("    " + strings.TrimRight(line, " \t") + "\n")
				}
			}
		}
		b.WriteString(text(lang, "analysismail.mail.missing_ask"))
	} else if relevant > 0 {
		b.WriteString(text(lang, "analysismail.mail.none_missing"))
	}
	b.WriteString(text(lang, "analysismail.mail.rule"))
	if a.Link != "" {
		b.WriteString(text(lang, "analysismail.mail.link", "link", a.Link))
	}
	return subject, b.String()
}

// ContentHash is the hex SHA-256 of a mail as it would be sent: to whom,
// in which language, its subject and body. The preview shows it and the
// send compares it, so what was previewed is what goes out.
func ContentHash(to, lang, subject, body string) string {
	h := sha256.New()
	for _, part := range []string{to, lang, subject, body} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// maxAddresses is how many addresses AddressesIn returns at most.
const maxAddresses = 10

// addressLike finds the strings in a text that look like e-mail
// addresses; net/mail then decides which are.
var addressLike = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

// AddressesIn returns the e-mail addresses in texts, lower-cased, in the
// order they first appear, without repeats and at most ten: the contacts
// a tender document names, suggested as the recipients of its analysis.
func AddressesIn(texts ...string) []string {
	var out []string
	for _, t := range texts {
		for _, m := range addressLike.FindAllString(t, -1) {
			m = strings.ToLower(strings.Trim(m, ".-"))
			a, err := mail.ParseAddress(m)
			if err != nil || a.Address != m || len(m) > 254 || slices.Contains(out, m) {
				continue
			}
			out = append(out, m)
			if len(out) == maxAddresses {
				return out
			}
		}
	}
	return out
}
