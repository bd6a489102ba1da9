package check

import (
	"slices"
	"strings"
	"testing"
)

// published is the list of check ids as the probe CLI, catalogue files and
// stored results know them, in report order. It is spelled out rather than
// derived so that renaming, dropping or reordering a check fails here.
var published = []string{
	"web.dnssec", "web.ipv6", "web.https", "web.https-redirect", "web.hsts",
	"web.tls-version", "web.tls-ciphers", "web.tls-cert", "web.tls-pq",
	"web.security-headers", "web.security-txt", "web.caa", "web.dane", "web.rpki",
	"mail.dnssec", "mail.ipv6", "mail.spf", "mail.dkim", "mail.dmarc",
	"mail.starttls", "mail.dane", "mail.mta-sts", "mail.tls-rpt", "mail.rpki",
	"ns.ipv6", "ns.rpki",
	"ssh.pq-kex",
}

func TestRegistry(t *testing.T) {
	t.Run("the registry lists the published ids in report order", func(t *testing.T) {
		var got []string
		for _, id := range IDs() {
			got = append(got, string(id))
		}
		if !slices.Equal(got, published) {
			t.Errorf("ids:\n got %v\nwant %v", got, published)
		}
	})
	t.Run("every check names a standard and a target its id agrees with", func(t *testing.T) {
		for _, c := range All() {
			prefix, _, _ := strings.Cut(string(c.ID), ".")
			// A management endpoint's checks are named by the protocol
			// they speak to it.
			want := map[Target]string{Web: "web", Mail: "mail", NameServers: "ns", Management: "ssh"}[c.Target]
			if c.Standard == "" || want != prefix {
				t.Errorf("%s: standard %q, target %q", c.ID, c.Standard, c.Target)
			}
		}
	})
	t.Run("changing what All returns leaves the registry as it was", func(t *testing.T) {
		all := All()
		all[0].Standard = "changed"
		ids := IDs()
		ids[0] = "changed"
		if WebDNSSEC.Standard() != "dnssec" || IDs()[0] != WebDNSSEC {
			t.Error("the registry changed through a returned slice")
		}
	})
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name     string
		id       ID
		known    bool
		standard string
		target   Target
	}{
		{"a web check runs against web domains", WebHSTS, true, "hsts", Web},
		{"a mail check runs against mail domains", MailDKIM, true, "dkim", Mail},
		{"a name-server check runs against the name servers", NSRPKI, true, "rpki", NameServers},
		{"checks of one standard share its slug", WebTLSCert, true, "tls", Web},
		{"the SSH check runs against management endpoints", SSHPQKex, true, "pq-ssh-key-exchange", Management},
		{"an unknown id is unknown and has neither standard nor target", "web.gopher", false, "", ""},
		{"an id is matched exactly, not by case", "WEB.HSTS", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := Lookup(tt.id)
			if ok != tt.known || Known(tt.id) != tt.known || c.Standard != tt.standard || c.Target != tt.target {
				t.Errorf("Lookup(%q) = %+v, %v; Known = %v", tt.id, c, ok, Known(tt.id))
			}
			if tt.id.Standard() != tt.standard || tt.id.Target() != tt.target {
				t.Errorf("%q: Standard() = %q, Target() = %q", tt.id, tt.id.Standard(), tt.id.Target())
			}
		})
	}
}

func TestDomainIDs(t *testing.T) {
	t.Run("a domain's checks are every check but those of management endpoints", func(t *testing.T) {
		got := DomainIDs()
		if len(got) != len(IDs())-1 || slices.Contains(got, SSHPQKex) || got[0] != WebDNSSEC || got[len(got)-1] != NSRPKI {
			t.Errorf("DomainIDs() = %v", got)
		}
		if m := TargetIDs(Management); !slices.Equal(m, []ID{SSHPQKex}) {
			t.Errorf("TargetIDs(Management) = %v", m)
		}
	})
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		in   []ID
		want []ID
	}{
		{"known ids sort in report order, not alphabetically", []ID{NSIPv6, MailSPF, WebHSTS, WebDNSSEC}, []ID{WebDNSSEC, WebHSTS, MailSPF, NSIPv6}},
		{"unknown ids come last, alphabetically", []ID{"zz.b", MailRPKI, "aa.a", WebCAA}, []ID{WebCAA, MailRPKI, "aa.a", "zz.b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Clone(tt.in)
			slices.SortFunc(got, Compare)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	t.Run("the statuses are spelled as internet.nl and stored results spell them", func(t *testing.T) {
		var got []string
		for _, s := range Statuses() {
			got = append(got, string(s))
		}
		if want := []string{"pass", "fail", "warn", "info", "not_applicable", "error"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}
