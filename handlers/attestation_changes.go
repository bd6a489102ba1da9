package handlers

import (
	"fmt"

	"tenderprobe/app/receipt"
	"tenderprobe/models"
)

// changeView is one change between two versions of an attestation in the
// reader's words: the field named as the answer form labels it, an answer
// status as its words, never a code.
type changeView struct {
	Standard, Field, Before, After string
}

// changeFieldKeys names each field of a receipt.Change by its message key.
var changeFieldKeys = map[string]string{
	"status": "attestation.change.status", "explanation": "attestation.change.explanation",
	"planned_date": "attestation.change.planned_date", "evidence": "attestation.change.evidence",
	"web domains": "attestation.change.web_domains", "mail domains": "attestation.change.mail_domains",
	"declarer": "attestation.change.declarer", "management endpoints": "scope.management_endpoints",
}

// changeViews writes changes in lang, each requirement by its name in
// names (by the standard's code, which the receipt records) when there.
func changeViews(lang string, changes []receipt.Change, names map[string]string) []changeView {
	out := make([]changeView, len(changes))
	for i, ch := range changes {
		v := changeView{Standard: ch.Standard, Field: ch.Field, Before: ch.Before, After: ch.After}
		if name, ok := names[ch.Standard]; ok {
			v.Standard = name
		}
		if key, ok := changeFieldKeys[ch.Field]; ok {
			v.Field = messageIn(lang, key, nil)
		}
		switch ch.Field {
		case "status":
			v.Before, v.After = answerStatusIn(lang, ch.Before), answerStatusIn(lang, ch.After)
		case "planned_date":
			v.Before, v.After = plannedDateIn(lang, ch.Before), plannedDateIn(lang, ch.After)
		}
		out[i] = v
	}
	return out
}

// requirementNames names each requirement a's answers answer, by its
// standard's code: its number on the sheet and the standard's name in
// lang ("8. SPF"), as the answer form heads it.
func requirementNames(lang string, a *models.Attestation) map[string]string {
	out := map[string]string{}
	for _, an := range a.Answers {
		if r := an.Requirement; r != nil && r.Standard != nil {
			out[r.Standard.Slug] = fmt.Sprintf("%d. %s", r.Position, r.Standard.In(lang).Name)
		}
	}
	return out
}

// answerStatusIn is the words of an answer status; "" is not answered.
func answerStatusIn(lang, status string) string {
	if status == "" {
		return messageIn(lang, "answer.status_none", nil)
	}
	return messageIn(lang, "answer.status."+status, nil)
}

// receiptDifferences are a receipt check's differences in lang: what was
// declared differently, and that the saved document itself changed; the
// record's other details (numbers of the attestation, tender and people)
// are named as the canonical document spells them.
func receiptDifferences(lang string, v receipt.Verification) []string {
	out := []string{}
	if v.DocumentChanged {
		out = append(out, messageIn(lang, "receipt.document_changed", nil))
	}
	for _, ch := range changeViews(lang, v.Changes, nil) {
		before, after := ch.Before, ch.After
		if before == "" {
			before = messageIn(lang, "receipt.empty", nil)
		}
		if after == "" {
			after = messageIn(lang, "receipt.empty", nil)
		}
		params := map[string]any{"where": ch.Field, "standard": ch.Standard, "field": ch.Field, "before": before, "after": after}
		key := "receipt.change"
		if ch.Standard != "" {
			key = "receipt.change_in"
		}
		out = append(out, messageIn(lang, key, params))
	}
	if len(v.Differences) > len(out) {
		// The record's own details (its numbers, the time of submission).
		out = append(out, messageIn(lang, "receipt.record_changed", nil))
	}
	return out
}

// statusWords are the answer statuses in lang, for the answer choices.
func statusWords(lang string) map[string]string {
	out := map[string]string{"": answerStatusIn(lang, "")}
	for _, s := range models.AnswerStatuses {
		out[s] = answerStatusIn(lang, s)
	}
	return out
}
