package library

import (
	"strings"
	"testing"
)

func render(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		switch s.Op {
		case Added:
			b.WriteString("{+" + s.Text + "+}")
		case Removed:
			b.WriteString("[-" + s.Text + "-]")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestClauseDiffMarksWholeWords(t *testing.T) {
	cases := []struct {
		name, before, after, want string
		changed                   bool
	}{
		{"the same clause is one unchanged run", "Use TLS 1.2 or later.", "Use TLS 1.2 or later.", "Use TLS 1.2 or later.", false},
		{"line breaks and indentation are no change", "Use TLS\n   1.2 or later.", "Use TLS 1.2 or later.", "Use TLS 1.2 or later.", false},
		{"a changed word is removed and added whole", "Use TLS 1.2 or later.", "Use TLS 1.3 or later.", "Use TLS [-1.2-]{+1.3+} or later.", true},
		{"an added sentence is one added run", "Sign the zone.", "Sign the zone. Publish a DS record.", "Sign the zone.{+ Publish a DS record.+}", true},
		{"a removed phrase is one removed run", "Offer HTTPS on every web server, without exception.", "Offer HTTPS on every web server.", "Offer HTTPS on every web [-server, without exception.-]{+server.+}", true},
		{"words that are not letters survive", "Gebruik DNSSEC — ook voor ‘subdomeinen’ 🔒.", "Gebruik DNSSEC — ook voor alle ‘subdomeinen’ 🔒.", "Gebruik DNSSEC — ook voor {+alle +}‘subdomeinen’ 🔒.", true},
		{"from nothing everything is added", "", "A new clause.", "{+A new clause.+}", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(ClauseDiff(c.before, c.after))
			if got != c.want {
				t.Errorf("diff\n got %s\nwant %s", got, c.want)
			}
			if Changed(c.before, c.after) != c.changed {
				t.Errorf("Changed = %v, want %v", !c.changed, c.changed)
			}
		})
	}
}
