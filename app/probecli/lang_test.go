package probecli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"tenderprobe/app/probe/probetest"
)

func TestLangGivesTheTablesInThatLanguageAndLeavesTheJSONAlone(t *testing.T) {
	dns := probetest.StartDNS(t, "nomail.example.test. 300 IN MX 0 .")
	probeOut := func(extra ...string) string {
		t.Helper()
		args := append([]string{"nomail.example.test", "--resolver", dns.Addr, "--timeout", "20s"}, extra...)
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != ExitOK {
			t.Fatalf("exit status = %d, stderr: %s", code, stderr.String())
		}
		return stdout.String()
	}
	t.Run("--lang nl prints Dutch headings, statuses and scores", func(t *testing.T) {
		out := probeOut("--lang", "nl")
		for _, want := range []string{"CONTROLE", "UITKOMST", "SAMENVATTING", "(gemeten in ", "Score: web ", "naamservers ", "web.dnssec", "niet van toepassing"} {
			if !strings.Contains(out, want) {
				t.Errorf("the Dutch table lacks %q:\n%s", want, out)
			}
		}
		for _, english := range []string{"CHECK", "STATUS", "SUMMARY", "probed in", "passed)", "not_applicable", "nothing tested"} {
			if strings.Contains(out, english) {
				t.Errorf("the Dutch table has %q:\n%s", english, out)
			}
		}
	})
	t.Run("the JSON is the same whatever --lang says", func(t *testing.T) {
		en := decodeStrict(t, []byte(probeOut("--json")))
		nl := decodeStrict(t, []byte(probeOut("--json", "--lang", "nl")))
		if len(en.Results) != 1 || len(nl.Results) != 1 || len(en.Results[0].Checks) != len(nl.Results[0].Checks) {
			t.Fatalf("results differ in shape: %d and %d", len(en.Results), len(nl.Results))
		}
		for i, c := range nl.Results[0].Checks {
			e := en.Results[0].Checks[i]
			if c.ID != e.ID || c.Status != e.Status || c.Standard != e.Standard || c.Summary != e.Summary {
				t.Errorf("check %d: %+v in Dutch, %+v in English", i, c, e)
			}
		}
	})
	t.Run("an unknown --lang is refused before anything is probed", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"--lang", "xx", "--resolver", dns.Addr, "example.nl"}, strings.NewReader(""), &stdout, &stderr)
		if code != ExitUsage || !strings.Contains(stderr.String(), "--lang") {
			t.Errorf("exit %d, stderr %q", code, stderr.String())
		}
	})
}

func TestLangFromEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"LANG nl_NL.UTF-8 reads Dutch", map[string]string{"LANG": "nl_NL.UTF-8"}, "nl"},
		{"LC_ALL wins over LANG", map[string]string{"LC_ALL": "es_MX.UTF-8", "LANG": "nl_NL.UTF-8"}, "es"},
		{"LC_MESSAGES wins over LANG", map[string]string{"LC_MESSAGES": "nl_BE@euro", "LANG": "en_GB.UTF-8"}, "nl"},
		{"the C locale reads English", map[string]string{"LC_ALL": "C", "LANG": "nl_NL.UTF-8"}, "en"},
		{"a language without words reads English", map[string]string{"LANG": "ja_JP.UTF-8"}, "en"},
		{"no locale reads English", nil, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := langFromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
