package receipt

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleDocument() Document {
	return Document{
		AttestationID: 7, Version: 1, TenderID: 3, TenderReference: "DSC-1", SupplierOrgID: 4, SupplierName: "Acme <B.V.>",
		Answers: []DocumentAnswer{
			{RequirementID: 9, Standard: "dnssec", Status: "partial", Explanation: "Q2 & later", PlannedDate: "2026-06-30",
				Evidence: []DocumentEvidence{{Kind: "url", URL: "https://b.test"}, {Kind: "file", FileName: "a.pdf", SHA256: "ab", Size: 3}}},
			{RequirementID: 2, Standard: "https", Status: "complies"},
		},
		Scope:    DocumentScope{Web: []string{"www.example.nl", "example.nl"}, Mail: []string{"example.nl"}},
		Declarer: "Vera", SubmittedByID: 5, SubmittedBy: "v@x.test", SubmittedAt: TimeString(time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))),
	}
}

func TestCanonical(t *testing.T) {
	a, err := Canonical(sampleDocument())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("keys are sorted and nothing is HTML-escaped or indented", func(t *testing.T) {
		s := string(a)
		if !strings.HasPrefix(s, `{"answers":[{"evidence":[]`) || strings.Contains(s, `\u003c`) || strings.ContainsAny(s, "\n ") && !strings.Contains(s, "Q2 & later") {
			t.Errorf("canonical form: %s", s)
		}
		if !strings.Contains(s, `"submitted_at":"2026-03-01T09:00:00Z"`) {
			t.Errorf("time is not UTC: %s", s)
		}
	})
	t.Run("the order of answers, evidence and domains does not change the bytes", func(t *testing.T) {
		d := sampleDocument()
		d.Answers[0], d.Answers[1] = d.Answers[1], d.Answers[0]
		d.Answers[1].Evidence[0], d.Answers[1].Evidence[1] = d.Answers[1].Evidence[1], d.Answers[1].Evidence[0]
		d.Scope.Web[0], d.Scope.Web[1] = d.Scope.Web[1], d.Scope.Web[0]
		b, err := Canonical(d)
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("reordered input gave other bytes:\n%s\n%s", a, b)
		}
	})
	t.Run("any declared change changes the receipt", func(t *testing.T) {
		for name, change := range map[string]func(*Document){
			"explanation": func(d *Document) { d.Answers[0].Explanation += "." },
			"status":      func(d *Document) { d.Answers[1].Status = "partial" },
			"date":        func(d *Document) { d.Answers[0].PlannedDate = "2026-07-01" },
			"evidence":    func(d *Document) { d.Answers[0].Evidence[1].SHA256 = "cd" },
			"scope":       func(d *Document) { d.Scope.Mail = nil },
			"declarer":    func(d *Document) { d.Declarer = "Vero" },
			"time":        func(d *Document) { d.SubmittedAt = TimeString(time.Date(2026, 3, 1, 9, 0, 1, 0, time.UTC)) },
		} {
			d := sampleDocument()
			change(&d)
			b, _ := Canonical(d)
			if Hash(a) == Hash(b) {
				t.Errorf("changing the %s kept the receipt", name)
			}
		}
	})
	t.Run("verify names the changed explanation", func(t *testing.T) {
		d := sampleDocument()
		d.Answers[0].Explanation = "tampered"
		v, err := Verify(Hash(a), a, d)
		if err != nil || v.Match || !strings.Contains(strings.Join(v.Differences, "\n"), "tampered") {
			t.Errorf("got %+v, %v", v, err)
		}
		v, err = Verify(Hash(a), a, sampleDocument())
		if err != nil || !v.Match || len(v.Differences) != 0 {
			t.Errorf("unchanged document: %+v, %v", v, err)
		}
	})
	t.Run("the canonical bytes decode back to the same document", func(t *testing.T) {
		var d Document
		if err := json.Unmarshal(a, &d); err != nil || d.Schema != Schema || len(d.Answers) != 2 || d.Answers[0].RequirementID != 2 {
			t.Errorf("decoded %+v, %v", d, err)
		}
	})
}

func TestChanges(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Document)
		want   []string
	}{
		{"an unchanged declaration has no changes", func(*Document) {}, nil},
		{"a new explanation is one change of its answer", func(d *Document) { d.Answers[0].Explanation = "Done in Q1" },
			[]string{`dnssec: explanation changed from "Q2 & later" to "Done in Q1"`}},
		{"a dropped answer is a status change to nothing", func(d *Document) { d.Answers = d.Answers[:1] },
			[]string{`https: status changed from "complies" to ""`}},
		{"a changed scope and declarer are listed after the answers", func(d *Document) {
			d.Scope.Mail = []string{"mail.example.nl"}
			d.Declarer = "Wim"
		}, []string{`mail domains changed from "example.nl" to "mail.example.nl"`, `declarer changed from "Vera" to "Wim"`}},
		{"the order of answers and domains is no change", func(d *Document) {
			d.Answers[0], d.Answers[1] = d.Answers[1], d.Answers[0]
			d.Scope.Web[0], d.Scope.Web[1] = d.Scope.Web[1], d.Scope.Web[0]
		}, nil},
		{"the submission time and version are bookkeeping, not changes", func(d *Document) {
			d.Version, d.SubmittedAt = 2, TimeString(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			later := sampleDocument()
			tt.change(&later)
			var got []string
			for _, c := range Changes(sampleDocument(), later) {
				got = append(got, c.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
