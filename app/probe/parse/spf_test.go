package parse

import (
	"strings"
	"testing"
)

func TestParseSPFAcceptsValidRecords(t *testing.T) {
	cases := []struct {
		name, record string
		all          string // qualifier name of the all directive, "" for none
		lookups      int
		redirect     string
	}{
		{"a record that sends nothing is accepted", "v=spf1 -all", "fail", 0, ""},
		{"mechanisms of every kind are accepted", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx/24 a:mail.example.com/24//64 mx:example.net//64 ptr exists:%{i}.spf.example.com include:_spf.example.net ~all", "softfail", 7, ""},
		{"a redirect is recorded and counted", "v=spf1 redirect=_spf.example.net", "", 1, "_spf.example.net"},
		{"spaces between terms are tolerated", "v=spf1  ip4:192.0.2.1   ?all", "neutral", 0, ""},
		{"the version is case-insensitive", "V=SPF1 +all", "pass", 0, ""},
		{"unknown modifiers are accepted", "v=spf1 foo=bar exp=explain.%{d} -all", "fail", 0, ""},
		{"a bare ip4 address without a prefix length is accepted", "v=spf1 ip4:192.0.2.1 -all", "fail", 0, ""},
		{"a macro with a slash delimiter does not confuse the prefix length", "v=spf1 a:%{l/}.example.com/24 -all", "fail", 1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ParseSPF(c.record)
			if err != nil {
				t.Fatalf("ParseSPF(%q): %v", c.record, err)
			}
			got := ""
			if s.All != nil {
				got = QualifierName(s.All.Qualifier)
			}
			if got != c.all {
				t.Errorf("all = %q, want %q", got, c.all)
			}
			if n := len(s.LookupTerms()); n != c.lookups {
				t.Errorf("lookups = %d, want %d", n, c.lookups)
			}
			if s.Redirect != c.redirect {
				t.Errorf("redirect = %q, want %q", s.Redirect, c.redirect)
			}
		})
	}
}

func TestParseSPFTermDetails(t *testing.T) {
	s, err := ParseSPF("v=spf1 a:mail.example.com/24//64 ip6:2001:db8::/48 exists:%{ir}.x.example.com -all")
	if err != nil {
		t.Fatal(err)
	}
	a := s.Terms[0]
	if a.Name != "a" || a.Value != "mail.example.com" || a.Prefix4 != 24 || a.Prefix6 != 64 || a.Qualifier != '+' {
		t.Errorf("a term parsed as %+v", a)
	}
	if ip6 := s.Terms[1]; ip6.Value != "2001:db8::/48" || ip6.Prefix6 != 48 {
		t.Errorf("ip6 term parsed as %+v", ip6)
	}
	if ex := s.Terms[2]; !ex.Macro {
		t.Errorf("exists term should be marked as a macro: %+v", ex)
	}
}

func TestParseSPFRejectsInvalidRecords(t *testing.T) {
	cases := []struct{ name, record, wantInErr string }{
		{"a record without the version is rejected", "ip4:192.0.2.1 -all", "v=spf1"},
		{"spf10 is not spf1", "v=spf10 -all", "v=spf1"},
		{"an unknown mechanism is rejected", "v=spf1 ip5:1.2.3.4 -all", "unknown mechanism"},
		{"an include without a domain is rejected", "v=spf1 include -all", "needs a domain"},
		{"an include of an IP address is rejected", "v=spf1 include:192.0.2.1 -all", "numeric top label"},
		{"an ip4 with an IPv6 address is rejected", "v=spf1 ip4:2001:db8::1 -all", "not an IPv4"},
		{"an ip4 prefix over 32 is rejected", "v=spf1 ip4:192.0.2.0/33 -all", "prefix length"},
		{"an ip6 prefix over 128 is rejected", "v=spf1 ip6:2001:db8::/129 -all", "prefix length"},
		{"all with an argument is rejected", "v=spf1 all:example.com", "no argument"},
		{"two redirects are rejected", "v=spf1 redirect=a.example redirect=b.example", "more than one redirect"},
		{"two exp modifiers are rejected", "v=spf1 exp=a.example exp=b.example -all", "more than one exp"},
		{"a broken macro is rejected", "v=spf1 exists:%{z}.example.com -all", "macro"},
		{"an unterminated macro is rejected", "v=spf1 exists:%{i.example.com -all", "unterminated"},
		{"a lone percent sign is rejected", "v=spf1 exists:foo.example.com% -all", "lone"},
		{"a modifier with a bad name is rejected", "v=spf1 9x=y -all", "modifier name"},
		{"a single-label include is rejected", "v=spf1 include:localhost -all", "fully qualified"},
		{"a ptr with a prefix length is rejected", "v=spf1 ptr/24 -all", "ptr takes no prefix"},
		{"a prefix length with a leading zero is rejected", "v=spf1 a/024 -all", "prefix length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSPF(c.record)
			if err == nil || !strings.Contains(err.Error(), c.wantInErr) {
				t.Fatalf("ParseSPF(%q) err = %v, want it to contain %q", c.record, err, c.wantInErr)
			}
		})
	}
}

func TestIsSPF(t *testing.T) {
	for txt, want := range map[string]bool{
		"v=spf1":                   true,
		"v=spf1 -all":              true,
		"V=SPF1 -all":              true,
		"v=spf10 -all":             false,
		"google-site-verification": false,
		"":                         false,
	} {
		if IsSPF(txt) != want {
			t.Errorf("IsSPF(%q) = %v, want %v", txt, !want, want)
		}
	}
}

func FuzzParseSPF(f *testing.F) {
	for _, s := range []string{
		"v=spf1 -all", "v=spf1 include:_spf.google.com ~all", "v=spf1 a:%{l/}.x.y/24//64 -all",
		"v=spf1 ip6:::1/128 exists:%{ir}.%{v}._spf.%{d2} redirect=x.example", "v=spf1 %", "v=spf1 a/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, record string) {
		s, err := ParseSPF(record)
		if err != nil {
			return
		}
		for _, term := range s.Terms {
			if term.Name == "" {
				t.Fatalf("accepted a term without a name in %q", record)
			}
			if !term.Modifier && !strings.ContainsRune("+-~?", rune(term.Qualifier)) {
				t.Fatalf("bad qualifier %q in %q", term.Qualifier, record)
			}
		}
		if s.All != nil && s.All.Name != "all" {
			t.Fatalf("All points at %q", s.All.Name)
		}
	})
}
