package probe

import (
	"crypto/x509"
	"strings"

	"tenderprobe/app/probe/check"
)

// judgeMailDANE rates the TLSA of one MX against the chain seen over
// STARTTLS (RFC 7672): no TLSA fails (internet.nl rates DANE for mail as
// required); a DNSSEC-secure record of usage 2 or 3 must match.
func (r *run) judgeMailDANE(d daneHost, targets []mxTarget) *daneHost {
	const validKey = "mail_starttls_dane_valid"
	d.subs = daneExistSubtests(&d.TLSA, true, "mail_starttls_dane_exist", validKey)
	if d.subs["mail_starttls_dane_exist"].Status == StatusPass {
		if daneRollover(d.TLSA) {
			d.subs.pass("mail_starttls_dane_rollover", Sub{Code: "mail_dane_rollover", Params: nil})
		} else {
			d.subs.fail("mail_starttls_dane_rollover", Sub{Code: "mail_dane_no_rollover", Params: nil})
		}
	} else {
		d.subs.set("mail_starttls_dane_rollover", StatusNotApplicable, Sub{Code: "mail_dane_no_usable_tlsa", Params: nil})
	}
	defer func() {
		if _, set := d.subs[validKey]; !set {
			d.subs.set(validKey, d.Status, d.note)
		}
	}()
	if st, note, done := daneRecordVerdict(&d.TLSA, StatusFail); done {
		d.set(st, note)
		return &d
	}
	var chain []*x509.Certificate
	var why []string
	for _, t := range targets {
		if t.chain != nil {
			chain = t.chain
			d.Addr = t.Addr
			break
		}
		why = append(why, t.Addr+": "+t.Error)
	}
	if chain == nil {
		untestable := true
		for _, t := range targets {
			if t.NoSTARTTLS {
				untestable = false
			}
		}
		if untestable {
			d.set(StatusError, Sub{Code: "dane_mail_no_certificate", Params: map[string]any{"errors": strings.Join(why, "; ")}})
		} else {
			d.set(StatusFail, Sub{Code: "dane_mail_no_starttls", Params: nil})
		}
		return &d
	}
	d.Chain = chainNames(chain)
	opts := x509.VerifyOptions{CurrentTime: r.cfg.Now(), DNSName: d.Host}
	if !matchTLSA(&d.TLSA, chain, r.cfg.RootCAs, opts, true) {
		d.set(StatusFail, Sub{Code: "dane_mail_no_match", Params: nil})
		return &d
	}
	if !daneRollover(d.TLSA) {
		d.set(StatusPass, Sub{Code: "dane_mail_match_no_rollover", Params: nil})
	} else {
		d.set(StatusPass, Sub{Code: "dane_mail_match", Params: nil})
	}
	return &d
}

// daneRollover reports internet.nl's rollover scheme: at least two usable
// records, "3 x x" plus another "3 x x" or a "2 x x".
func daneRollover(l daneLookup) bool {
	ee, ta := 0, 0
	for _, t := range l.tlsa {
		switch t.Usage {
		case 3:
			ee++
		case 2:
			ta++
		}
	}
	return ee >= 2 || ee >= 1 && ta >= 1
}

func mailDANECheck(results []mxResult) Check {
	var hosts []daneHost
	for _, m := range results {
		if m.DANE != nil {
			hosts = append(hosts, *m.DANE)
		}
	}
	c := combineDANE(check.MailDANE, hosts)
	if c.Status == StatusInfo {
		// For mail an absent TLSA is a failure, so combineDANE never sees
		// information; keep the statuses aligned should that change.
		c.Status = StatusFail
	}
	all := subtests{}
	for _, m := range results {
		if m.DANE != nil {
			all.on(m.Host, m.DANE.subs)
			continue
		}
		// The server has no address to test: nothing could be measured.
		none := subtests{}
		for _, k := range []check.Subtest{"mail_starttls_dane_exist", "mail_starttls_dane_valid", "mail_starttls_dane_rollover"} {
			none.set(k, StatusError, m.finding)
		}
		all.on(m.Host, none)
	}
	c.judge(all)
	return c
}
