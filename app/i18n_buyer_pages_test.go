package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// mainText is what a reader meets in a page's <main> (the layout around
// it has tests of its own): the text outside scripts and styles, and the
// attributes a browser shows or reads out (aria-label, title, placeholder,
// alt, data-confirm, data-label), one item a line. chrome is the part the
// page itself words (headings, labels, buttons, options, table heads and
// the badges of statuses, verdicts and checks), leaving out what users and
// the catalogue wrote (titles, answers, clauses), which may be English.
func mainText(t *testing.T, page string) (all, chrome string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b, c strings.Builder
	var walk func(n *html.Node, inMain, inChrome bool)
	walk = func(n *html.Node, inMain, inChrome bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "blockquote":
				return
			case "main":
				inMain = true
			case "h1", "h2", "h3", "th", "dt", "label", "legend", "button", "option", "summary", "caption":
				inChrome = true
			}
			for _, a := range n.Attr {
				if a.Key == "class" && buyerChromeClass.MatchString(a.Val) {
					inChrome = true
				}
			}
		}
		if inMain {
			if n.Type == html.TextNode {
				b.WriteString(n.Data + "\n")
				if inChrome {
					c.WriteString(n.Data + "\n")
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "aria-label", "title", "placeholder", "alt", "data-confirm", "data-label":
					b.WriteString(a.Val + "\n")
					c.WriteString(a.Val + "\n")
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inMain, inChrome)
		}
	}
	walk(doc, false, false)
	return b.String(), c.String()
}

// buyerChromeClass are the classes of the words a page gives a code.
var buyerChromeClass = regexp.MustCompile(`\b(badge|verdict|check|run-status|button)\b`)

var (
	// buyerSnake is a code such as does_not_comply or planned_date.
	buyerSnake = regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)+\b`)
	// buyerKeyLike is what a message key looks like (review.verdict.confirmed).
	buyerKeyLike = regexp.MustCompile(`\b[a-z_]+(?:\.[a-z0-9_-]+)+\b`)
	// buyerH1 is a page's main heading.
	buyerH1 = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
)

// buyerCodeWords are single-word internal codes the buyer pages must show as
// words: in Dutch or Spanish text any of them is an untranslated code.
var buyerCodeWords = []string{"draft", "published", "closed", "awarded", "mandatory", "recommended", "queued", "running", "done",
	"submitted", "complies", "partial", "confirmed", "contradicted", "inconclusive", "pending", "accepted", "officer", "vendor",
	"pass", "fail", "warn", "manual", "scheduled"}

func TestBuyerPagesSpeakTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer, auditor := a.session("officer@demo.test"), a.session("auditor@demo.test")

	draft, _ := a.newDraft("Taalproef")
	var att models.Attestation
	buyer := a.user("officer@demo.test").OrgID
	if err := a.db.Joins("JOIN tenders ON tenders.id = attestations.tender_id").
		Where("attestations.status = ? AND tenders.buyer_org_id = ?", models.AttestationSubmitted, *buyer).
		Where("EXISTS (SELECT 1 FROM probe_runs WHERE probe_runs.attestation_id = attestations.id)").
		Order("attestations.id").First(&att).Error; err != nil {
		t.Fatal(err)
	}
	var run models.ProbeRun
	if err := a.db.Where("attestation_id = ?", att.ID).Order("id desc").First(&run).Error; err != nil {
		t.Fatal(err)
	}

	// Every catalogue key, so a key shown as itself is caught.
	cat, err := i18n.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, k := range cat.Keys(i18n.Default) {
		keys[k] = true
	}
	// english are the English messages that read differently in lang: a
	// line of the page's own words equal to one is left untranslated.
	english := func(lang string) map[string]bool {
		same := map[string]bool{}
		for _, w := range cat.Texts(lang) {
			same[w] = true
		}
		out := map[string]bool{}
		for _, en := range cat.Texts(i18n.Default) {
			if len(en) > 3 && !strings.Contains(en, "{") && !same[en] {
				out[en] = true
			}
		}
		return out
	}

	pages := []struct {
		name   string
		who    *client
		path   string
		status int
		// heading is the h1's words in nl and es (a prefix of it).
		heading map[string]string
	}{
		{"the tender list", officer, "/tenders", 200, map[string]string{"nl": "Aanbestedingen", "es": "Licitaciones"}},
		{"a draft tender with its sheet editor", officer, fmt.Sprintf("/tenders/%d", draft.ID), 200, nil},
		{"a published tender", officer, fmt.Sprintf("/tenders/%d", att.TenderID), 200, nil},
		{"a profile's preview", officer, fmt.Sprintf("/tenders/%d/profile?profile=website-hosting", draft.ID), 200,
			map[string]string{"nl": "Het profiel ‘Websitehosting’ toepassen?", "es": "¿Aplicar el perfil «Alojamiento web»?"}},
		{"the officer's dashboard", officer, "/", 200, map[string]string{"nl": "Overzicht", "es": "Panel"}},
		{"the auditor's dashboard", auditor, "/", 200, map[string]string{"nl": "Overzicht", "es": "Panel"}},
		{"the review matrix", officer, fmt.Sprintf("/tenders/%d/review", att.TenderID), 200, map[string]string{"nl": "Beoordeling:", "es": "Revisión:"}},
		{"the verification page", officer, fmt.Sprintf("/attestations/%d/verification", att.ID), 200, map[string]string{"nl": "Verificatie:", "es": "Verificación:"}},
		{"a probe run", officer, fmt.Sprintf("/probe-runs/%d", run.ID), 200, map[string]string{"nl": "Meetronde", "es": "Ronda de sondeo"}},
		{"the audit log", auditor, "/audit", 200, map[string]string{"nl": "Auditlog", "es": "Registro de auditoría"}},
		{"the audit log with a bad filter", auditor, "/audit?tender=x&from=yesterday", 400, map[string]string{"nl": "Auditlog", "es": "Registro de auditoría"}},
	}
	for _, lang := range []string{"nl", "es"} {
		untranslated := english(lang)
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s in %s has words, not codes or keys", p.name, lang), func(t *testing.T) {
				res := getIn(p.who, lang, p.path)
				if res.status != p.status {
					t.Fatalf("status %d, want %d: %s", res.status, p.status, errorText(res.body))
				}
				if !strings.Contains(res.body, `<html lang="`+lang+`"`) {
					t.Errorf("the page is not marked as %s", lang)
				}
				if want, ok := p.heading[lang]; ok {
					m := buyerH1.FindStringSubmatch(res.body)
					if m == nil || !strings.HasPrefix(strings.TrimSpace(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))), want) {
						t.Errorf("h1 %q does not start with %q", m, want)
					}
				}
				text, chrome := mainText(t, res.body)
				for _, k := range buyerKeyLike.FindAllString(text, -1) {
					if keys[k] {
						t.Errorf("the message key %q is shown instead of its words", k)
					}
				}
				for _, line := range strings.Split(chrome, "\n") {
					if line = strings.TrimSpace(line); untranslated[line] {
						t.Errorf("%q is English", line)
					}
				}
				if m := regexp.MustCompile(`0x[0-9a-f]{6,}`).FindString(text); m != "" {
					t.Errorf("a pointer %s is shown instead of a number", m)
				}
				if codes := buyerSnake.FindAllString(text, -1); len(codes) > 0 {
					t.Errorf("internal codes in the visible text: %v", codes)
				}
				for _, w := range buyerCodeWords {
					if m := regexp.MustCompile(`(^|[^\pL.@/-])` + w + `($|[^\pL.@/-])`).FindStringIndex(chrome); m != nil {
						t.Errorf("the English code word %q is in the %s text: %q", w, lang, chrome[max(0, m[0]-60):min(len(chrome), m[1]+60)])
					}
				}
			})
		}
	}

	t.Run("the review CSV's header is in the reader's language and its codes stay codes", func(t *testing.T) {
		res := getIn(officer, "nl", fmt.Sprintf("/tenders/%d/review.csv", att.TenderID))
		if res.status != 200 {
			t.Fatalf("status %d", res.status)
		}
		header, _, _ := strings.Cut(res.body, "\n")
		if !strings.HasPrefix(header, "Nummer van de verklaring,Leverancier,Status van de verklaring (code)") {
			t.Errorf("header %q", header)
		}
		if !strings.Contains(res.body, ",submitted,") || !strings.Contains(res.body, ",ingediend,") {
			t.Errorf("the CSV should carry the code submitted and its words ingediend")
		}
	})
	t.Run("the audit CSV's header is in the reader's language", func(t *testing.T) {
		res := getIn(auditor, "es", "/audit?format=csv")
		if res.status != 200 {
			t.Fatalf("status %d", res.status)
		}
		header, _, _ := strings.Cut(res.body, "\n")
		if !strings.HasPrefix(header, `Número de entrada,"Momento (UTC, ISO 8601)",Número de usuario`) {
			t.Errorf("header %q", header)
		}
	})
}
