package probecli

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"tenderprobe/app/probe"
)

// TestJSONOutputIsOneDocumentWhateverTheDetails: results stream as one
// JSON document, one result to a line; a detail JSON cannot encode
// replaces only its own check's details by the error.
func TestJSONOutputIsOneDocumentWhateverTheDetails(t *testing.T) {
	t.Parallel()
	results := []probe.Result{
		{Domain: "a.example", Checks: []probe.Check{{ID: "web.hsts", Status: probe.StatusPass, Details: map[string]any{"max_age": 31536000, "html": "<b>&</b>"}}}},
		{Domain: "b.example", Checks: []probe.Check{
			{ID: "web.hsts", Status: probe.StatusPass, Details: map[string]any{"ratio": math.NaN()}},
			{ID: "web.tls-version", Status: probe.StatusFail, Details: map[string]any{"versions": []string{"TLS1.0"}}},
		}},
		{Domain: "c.example", Checks: []probe.Check{{ID: "mail.dmarc", Status: probe.StatusInfo, Details: map[string]any{}}}},
	}
	var out bytes.Buffer
	w := &jsonWriter{w: &out}
	if err := w.begin(); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if err := w.result(i, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.end(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []probe.Result `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out.String())
	}
	if len(doc.Results) != len(results) {
		t.Fatalf("%d results, want %d", len(doc.Results), len(results))
	}
	if lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); len(lines) != len(results)+2 {
		t.Errorf("%d lines, want the opening, one per result and the closing", len(lines))
	}
	bad := doc.Results[1].Checks
	if e, _ := bad[0].Details["error"].(string); !strings.Contains(e, "could not be encoded") {
		t.Errorf("the NaN's check's details = %v, want the error", bad[0].Details)
	}
	if bad[1].Details["versions"] == nil || doc.Results[1].Domain != "b.example" {
		t.Errorf("the other check of the result lost its details: %+v", doc.Results[1])
	}
	if doc.Results[0].Checks[0].Details["html"] != "<b>&</b>" || !strings.Contains(out.String(), `\u003cb\u003e`) {
		t.Errorf("HTML in details is not escaped as json.Marshal escapes it: %s", out.String())
	}
}
