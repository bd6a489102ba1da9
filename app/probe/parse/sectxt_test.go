package parse

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSecurityTxt(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	const loc = "https://example.nl/.well-known/security.txt"
	tests := []struct {
		name     string
		body     string
		errs     []string
		warnings []string
		// advice, when set, is exactly the advice wanted.
		advice []string
	}{
		{"a minimal valid file passes", "Contact: mailto:security@example.nl\nExpires: 2027-05-01T00:00:00Z\n", nil, nil, nil},
		{"CRLF, comments and a matching canonical pass", "# hello\r\nContact: https://example.nl/report\r\nExpires: 2027-01-01T00:00:00+01:00\r\nCanonical: https://EXAMPLE.nl/.well-known/security.txt\r\n", nil, nil, nil},
		{"a missing contact is an error", "Expires: 2027-05-01T00:00:00Z\n", []string{"no Contact"}, nil, nil},
		{"two expires fields are an error", "Contact: tel:+31201234567\nExpires: 2027-05-01T00:00:00Z\nExpires: 2027-06-01T00:00:00Z\n", []string{"exactly one allowed"}, nil, nil},
		{"a past expiry is an error", "Contact: mailto:a@example.nl\nExpires: 2025-01-01T00:00:00Z\n", []string{"expired"}, nil, nil},
		{"an expiry more than a year ahead is a warning", "Contact: mailto:a@example.nl\nExpires: 2029-01-01T00:00:00Z\n", nil, []string{"more than a year"}, nil},
		{"a malformed date is an error", "Contact: mailto:a@example.nl\nExpires: next year\n", []string{"RFC 3339"}, nil, nil},
		{"an http contact is an error", "Contact: http://example.nl/\nExpires: 2027-05-01T00:00:00Z\n", []string{"not a mailto"}, nil, nil},
		{"a canonical elsewhere is an error", "Contact: mailto:a@example.nl\nExpires: 2027-05-01T00:00:00Z\nCanonical: https://other.nl/.well-known/security.txt\n", []string{"no Canonical"}, nil, nil},
		{"garbage lines are errors", "Contact: mailto:a@example.nl\nExpires: 2027-05-01T00:00:00Z\n<html>\n", []string{"not a \"Field: value\""}, nil, nil},
		{"invalid UTF-8 is an error", "Contact: mailto:a@example.nl\nExpires: 2027-05-01T00:00:00Z\n# \xff\n", []string{"UTF-8"}, nil, nil},
		{"no space after the colon is an error", "Contact:mailto:a@example.nl\nExpires: 2027-05-01T00:00:00Z\n", []string{"no space after the colon"}, nil, nil},
		{"an empty value is an error", "Contact: mailto:a@example.nl\nPolicy: \nExpires: 2027-05-01T00:00:00Z\n", []string{"Policy has no value"}, nil, nil},
		{"a URI field that is no URI is an error", "Contact: mailto:a@example.nl\nEncryption: key.asc\nExpires: 2027-05-01T00:00:00Z\n", []string{"Encryption is not a URI"}, nil, nil},
		{"an http URI field is an error", "Contact: mailto:a@example.nl\nHiring: http://example.nl/jobs\nExpires: 2027-05-01T00:00:00Z\n", []string{"Hiring is an http URI"}, nil, nil},
		{"language tags are checked", "Contact: mailto:a@example.nl\nPreferred-Languages: nl, en-GB, x!y\nExpires: 2027-05-01T00:00:00Z\n", []string{`"x!y" is not a language tag`}, nil, nil},
		{"a space or a lower case t between date and time is read", "Contact: mailto:a@example.nl\nExpires: 2027-05-01 00:00:00z\n", nil, nil, nil},
		{"internet.nl's advice: sign the file, add Encryption next to an e-mail contact, no unknown fields",
			"Contact: mailto:a@example.nl\nExpires: 2027-05-01T00:00:00Z\nBounty: yes\n", nil, nil,
			[]string{"not signed with OpenPGP", "an e-mail Contact without an Encryption field", "unknown field Bounty"}},
		{"a signed file with Encryption and Canonical has no advice",
			"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@example.nl\nEncryption: https://example.nl/key.asc\nCanonical: " + loc + "\nExpires: 2027-05-01T00:00:00Z\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n",
			nil, nil, []string{}},
		{"a signed file is unwrapped", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@example.nl\nExpires: 2027-05-01T00:00:00Z\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n", nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := ParseSecurityTxt([]byte(tc.body)).Evaluate(loc, now)
			if tc.advice != nil {
				if !slices.Equal(v.Advice, tc.advice) || !slices.Equal(texts(v.AdviceProblems), v.Advice) {
					t.Errorf("advice %v, want %v", v.Advice, tc.advice)
				}
			}
			check := func(kind string, got, want []string) {
				if want == nil && len(got) > 0 {
					t.Errorf("%s %v, want none", kind, got)
				}
				for _, w := range want {
					if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
						t.Errorf("%s %v lack %q", kind, got, w)
					}
				}
			}
			check("errors", v.Errors, tc.errs)
			check("warnings", v.Warnings, tc.warnings)
			if !slices.Equal(texts(v.ErrorProblems), v.Errors) || !slices.Equal(texts(v.WarningProblems), v.Warnings) {
				t.Errorf("the coded problems %+v %+v differ from the errors %v and warnings %v", v.ErrorProblems, v.WarningProblems, v.Errors, v.Warnings)
			}
		})
	}
}

func TestIsPlainText(t *testing.T) {
	tests := []struct {
		ct          string
		plain, utf8 bool
	}{
		{"text/plain", true, true},
		{"text/plain; charset=utf-8", true, true},
		{`Text/Plain; charset="UTF-8"`, true, true},
		{"text/plain; charset=iso-8859-1", true, false},
		{"text/html; charset=utf-8", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.ct, func(t *testing.T) {
			p, u := IsPlainText(tc.ct)
			if p != tc.plain || u != tc.utf8 {
				t.Errorf("IsPlainText(%q) = %v %v, want %v %v", tc.ct, p, u, tc.plain, tc.utf8)
			}
		})
	}
}

func FuzzParseSecurityTxt(f *testing.F) {
	f.Add([]byte("Contact: mailto:a@b\nExpires: 2027-01-01T00:00:00Z\n"))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\n\n- Contact: x\n"))
	f.Add([]byte(":\n:::\r\n#"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := ParseSecurityTxt(b)
		s.Evaluate("https://example.nl/.well-known/security.txt", time.Unix(0, 0))
	})
}
