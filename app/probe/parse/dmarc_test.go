package parse

import (
	"strings"
	"testing"
)

func TestParseDMARC(t *testing.T) {
	d, err := ParseDMARC("v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; pct=50; rua=mailto:agg@example.net!10m,https://dmarc.example.org/r; ruf=mailto:forensic@example.com; adkim=s; aspf=r; fo=1:d; rf=afrf; ri=3600; future=1;")
	if err != nil {
		t.Fatal(err)
	}
	if d.P != "reject" || d.SP != "quarantine" || d.NP != "reject" || d.PSD != "n" || !d.T || d.Pct != 50 ||
		d.ADKIM != "s" || d.ASPF != "r" || strings.Join(d.FO, ":") != "1:d" || d.RI != 3600 {
		t.Fatalf("parsed %+v", d)
	}
	if len(d.RUA) != 2 || d.RUA[0].Scheme != "mailto" || d.RUA[0].Host != "example.net" || d.RUA[0].MaxSize != "10m" ||
		d.RUA[1].Scheme != "https" || d.RUA[1].Host != "dmarc.example.org" {
		t.Fatalf("rua parsed as %+v", d.RUA)
	}
	if len(d.RUF) != 1 || d.RUF[0].Host != "example.com" {
		t.Fatalf("ruf parsed as %+v", d.RUF)
	}
	if len(d.Unknown) != 1 || d.Unknown[0] != "future" {
		t.Fatalf("unknown tags = %v", d.Unknown)
	}
	if d.EffectivePolicy(true) != "quarantine" || d.EffectivePolicy(false) != "reject" {
		t.Fatal("sp should take precedence for subdomains only")
	}
}

func TestParseDMARCDefaults(t *testing.T) {
	d, err := ParseDMARC("v=DMARC1;p=none")
	if err != nil {
		t.Fatal(err)
	}
	if d.Pct != 100 || d.ADKIM != "r" || d.ASPF != "r" || d.RI != 86400 || d.FO[0] != "0" || d.RF[0] != "afrf" || d.T {
		t.Fatalf("defaults wrong: %+v", d)
	}
	if d.EffectivePolicy(true) != "none" {
		t.Fatal("without sp, p applies to subdomains")
	}
}

func TestParseDMARCRejectsInvalidRecords(t *testing.T) {
	cases := []struct{ name, record, wantInErr string }{
		{"a record not starting with v=DMARC1 is rejected", "p=reject; v=DMARC1", "v=DMARC1"},
		{"a lowercase version is rejected", "v=dmarc1; p=reject", "v=DMARC1"},
		{"a record without p is rejected", "v=DMARC1; rua=mailto:a@example.com", "p is missing"},
		{"an unknown policy is rejected", "v=DMARC1; p=block", "policy must be"},
		{"a duplicate tag is rejected", "v=DMARC1; p=reject; p=none", "more than once"},
		{"a pct above 100 is rejected", "v=DMARC1; p=reject; pct=101", "0 to 100"},
		{"a rua without scheme is rejected", "v=DMARC1; p=reject; rua=agg@example.com", "no scheme"},
		{"a rua with a bad address is rejected", "v=DMARC1; p=reject; rua=mailto:not-an-address", "not a mail address"},
		{"a rua with a bad size is rejected", "v=DMARC1; p=reject; rua=mailto:a@example.com!10x", "size limit"},
		{"a rua with an ftp URI is rejected", "v=DMARC1; p=reject; rua=ftp://example.com/", "not mailto or https"},
		{"a bad alignment mode is rejected", "v=DMARC1; p=reject; adkim=x", "r or s"},
		{"a bad fo option is rejected", "v=DMARC1; p=reject; fo=2", "0, 1, d or s"},
		{"a bad t flag is rejected", "v=DMARC1; p=reject; t=maybe", "y or n"},
		{"a bad psd flag is rejected", "v=DMARC1; p=reject; psd=x", "y, n or u"},
		{"a tag without a value separator is rejected", "v=DMARC1; p=reject; nonsense", "tag=value"},
		{"an empty record is rejected", "", "v=DMARC1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseDMARC(c.record)
			if err == nil || !strings.Contains(err.Error(), c.wantInErr) {
				t.Fatalf("ParseDMARC(%q) err = %v, want it to contain %q", c.record, err, c.wantInErr)
			}
		})
	}
}

func TestIsDMARC(t *testing.T) {
	for txt, want := range map[string]bool{
		"v=DMARC1; p=none": true,
		"v = DMARC1":       true,
		"v=spf1 -all":      false,
		"p=none; v=DMARC1": false,
	} {
		if IsDMARC(txt) != want {
			t.Errorf("IsDMARC(%q) = %v, want %v", txt, !want, want)
		}
	}
}

func FuzzParseDMARC(f *testing.F) {
	f.Add("v=DMARC1; p=reject; rua=mailto:a@example.com!10m")
	f.Add("v=DMARC1;p=none;sp=reject;np=quarantine;psd=y;t=n;pct=0;ruf=https://x.example/;fo=0:1:d:s;ri=1")
	f.Add("v=DMARC1; p=quarantine; rua=mailto:%zz@x")
	f.Fuzz(func(t *testing.T, record string) {
		d, err := ParseDMARC(record)
		if err != nil {
			return
		}
		if !dmarcPolicies[d.P] || d.Pct < 0 || d.Pct > 100 {
			t.Fatalf("accepted %q with p=%q pct=%d", record, d.P, d.Pct)
		}
		for _, u := range append(d.RUA, d.RUF...) {
			if u.Scheme != "mailto" && u.Scheme != "https" || u.Host == "" {
				t.Fatalf("accepted report URI %+v in %q", u, record)
			}
		}
	})
}
