package report

import (
	"fmt"
	"regexp"
)

// english holds the report texts added for issue 10 (the annual summary,
// the declared and verified rates, the probe states and the chart words)
// by a stable key, in the placeholder style of handlers/messages.go:
// {name} is a parameter. This package cannot import handlers, so its
// words live here, in one table, for issue 11 to translate next to the
// app's catalogue. Older report texts are still literals in the layout
// code.
var english = map[string]string{
	// The opening summary of the annual report.
	"annual.summary.tenders":           "In {year}, {tenders} tender(s) were published by {buyers} buyer organisation(s), demanding {demanded} standard requirement(s) ({mandatory} mandatory).",
	"annual.summary.answers":           "Vendors submitted {attestations} attestation(s) with {answers} answer(s); of the {applicable} answer(s) that apply, vendors declared {declared} met and the probes verified {verified}.",
	"annual.summary.contradicted":      "The probes contradicted {contradicted} claim(s) of compliance; the compliance rate counts none of them as met, which gives {rate}.",
	"annual.summary.none_contradicted": "The probes contradicted no claim of compliance, so the compliance rate is the declared {rate}.",
	"annual.summary.unverified":        "No probe run checked any attestation of the year, so every rate is the vendors' word only.",
	"annual.summary.previous":          "Against {previous}, the compliance rate changed by {change}.",
	"annual.summary.no_previous":       "There is no data for {previous} to compare with.",
	"annual.summary.no_rate":           "No answer that applies was submitted, so there is no rate.",
	"annual.summary.heading":           "The year in brief",

	// Rates.
	"rate.declared":            "Declared",
	"rate.verified":            "Verified",
	"rate.compliance":          "Compliance rate",
	"rate.bar_text":            "{declared} declared · {verified} verified · n={n}",
	"rate.legend.verified":     "verified by the probes",
	"rate.legend.unverified":   "declared, not verified",
	"rate.legend.contradicted": "declared, contradicted by the probes",
	"rate.explained": "Declared: answers \"complies\" among the answers that apply (not applicable left out). " +
		"Compliance rate: the same without the claims the probes contradicted. Verified: the claims the probes confirmed " +
		"(a standard no probe can check, such as a certification, is never verified).",

	// Charts.
	"chart.axis_percent": "percent of the answers that apply",
	"chart.axis_count":   "number of tenders",

	// Probe states of a vendor in the tender report.
	"probes.none":         "no verification",
	"probes.verified":     "verified",
	"probes.partly":       "partly verified: {confirmed} of {claims} claims confirmed",
	"probes.contradicted": "contradicted: {contradicted} of {claims} claims",
	"probes.nothing":      "nothing the probes can check",
	"probes.explained": "Probes: \"verified\" only when the probes confirmed every claim of compliance they can check; " +
		"\"contradicted\" when they found a claim untrue. Mandatory met never counts a contradicted claim.",

	// The mark of a contradicted claim.
	"mark.contradicted": "✗ contradicted",
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// text returns the words of key with params filled in; a missing key
// shows as itself (a test makes sure none is missing).
func text(key string, params map[string]any) string {
	tmpl, ok := english[key]
	if !ok {
		return key
	}
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := params[name]
		if !ok {
			return m
		}
		return fmt.Sprint(v)
	})
}
