package mail

import (
	"slices"
	"strings"
	"testing"
)

func TestAddressesIn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		texts []string
		want  []string
	}{
		{"addresses in running text, lower-cased, in order and without repeats",
			[]string{"Vragen: Inkoop@Gemeente.test.", "Contact: j.jansen@gemeente.test of inkoop@gemeente.test"},
			[]string{"inkoop@gemeente.test", "j.jansen@gemeente.test"}},
		{"look-alikes are not addresses", []string{"@handle, user@localhost, a@b, 10 @ 5 EUR"}, nil},
		{"at most ten", []string{strings.Repeat("x@a.test y@b.test z@c.test q@d.test ", 2) + "1@e.test 2@f.test 3@g.test 4@h.test 5@i.test 6@j.test 7@k.test"},
			[]string{"x@a.test", "y@b.test", "z@c.test", "q@d.test", "1@e.test", "2@f.test", "3@g.test", "4@h.test", "5@i.test", "6@j.test"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := AddressesIn(c.texts...); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestAnalysisMail(t *testing.T) {
	t.Parallel()
	a := Analysis{Document: "bestek.pdf", Kinds: []string{"E-maildienst"}, Sender: "Olivia <o@buyer.test>", SenderOrg: "Demostad",
		Requested: []AnalysisStandard{{Name: "DNSSEC", Status: "requested"}},
		Missing:   []AnalysisStandard{{Name: "DANE", Status: "mentioned", Clause: "De Leverancier ondersteunt DANE.\nTweede regel."}}}
	t.Run("a Dutch mail lists what is requested and what is missing with the clause to add", func(t *testing.T) {
		subject, body := AnalysisMail("nl", a)
		for _, want := range []string{"Geëist (1):\n  - DNSSEC", "  - DANE (alleen genoemd, niet geëist)\n    Toe te voegen bepaling:\n    De Leverancier ondersteunt DANE.\n    Tweede regel.", "Olivia <o@buyer.test> van Demostad"} {
			if !strings.Contains(body, want) {
				t.Errorf("the body lacks %q:\n%s", want, body)
			}
		}
		if subject != "Internetbeveiligingsstandaarden in uw aanbesteding: bestek.pdf" {
			t.Errorf("subject %q", subject)
		}
	})
	t.Run("the link is there only when given", func(t *testing.T) {
		if _, body := AnalysisMail("en", a); strings.Contains(body, "http") {
			t.Errorf("a link without one given:\n%s", body)
		}
		a.Link = "https://tp.test/tender-documents/7"
		if _, body := AnalysisMail("en", a); !strings.Contains(body, "The full analysis, with the quoted sentences: https://tp.test/tender-documents/7") {
			t.Errorf("no link:\n%s", body)
		}
	})
	t.Run("the hash changes with any part of the mail", func(t *testing.T) {
		h := ContentHash("a@b.test", "nl", "s", "b")
		for _, other := range []string{ContentHash("c@b.test", "nl", "s", "b"), ContentHash("a@b.test", "en", "s", "b"), ContentHash("a@b.test", "nl", "s2", "b"), ContentHash("a@b.test", "nl", "s", "b2"), ContentHash("a@b.test", "nl", "sb", "")} {
			if other == h {
				t.Error("two different mails have one hash")
			}
		}
	})
}
