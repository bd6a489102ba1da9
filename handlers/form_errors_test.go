package handlers

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/models"
)

func TestEveryRefusedFieldIsAnsweredAtOnce(t *testing.T) {
	refused := models.ValidationErrors{
		{Field: "title", Code: "required"},
		{Field: "reference", Code: "too_long", Params: map[string]any{"max": 100}},
		{Field: "estimated_value", Code: "not_an_amount_like", Params: map[string]any{"value": "lots", "example": "125.000,50"}},
	}
	cases := []struct {
		lang  string
		first string
		words []string
	}{
		{"en", "title: is required", []string{"title: is required", "reference: is longer than 100 characters", `estimated_value: is not an amount like 125.000,50`}},
		{"nl", "title: is verplicht", []string{"title: is verplicht", "reference: is langer dan 100 tekens", "estimated_value: is geen bedrag zoals 125.000,50"}},
	}
	for _, c := range cases {
		t.Run("the API answer in "+c.lang+" keeps its first problem and lists them all", func(t *testing.T) {
			body := problemOf(refused).json(c.lang)
			if body["error"] != c.first || body["code"] != "field.required" || body["field"] != "title" {
				t.Errorf("the answer's own fields changed: %v", body)
			}
			items, _ := body["errors"].([]fiber.Map)
			var words, fields []string
			for _, it := range items {
				words, fields = append(words, it["error"].(string)), append(fields, it["field"].(string))
			}
			if !reflect.DeepEqual(words, c.words) || !reflect.DeepEqual(fields, []string{"title", "reference", "estimated_value"}) {
				t.Errorf("errors lists %q on %v, want %q", words, fields, c.words)
			}
		})
	}
	t.Run("a single refused field is listed too", func(t *testing.T) {
		items, _ := problemOf(&models.ValidationError{Field: "level", Code: "required"}).json("en")["errors"].([]fiber.Map)
		if len(items) != 1 || items[0]["field"] != "level" {
			t.Errorf("errors %v", items)
		}
	})
	t.Run("an error that is not about input lists nothing", func(t *testing.T) {
		if body := problemOf(models.ErrStale).json("en"); body["errors"] != nil {
			t.Errorf("body %v", body)
		}
	})
}

func TestErrorSummaryFollowsTheForm(t *testing.T) {
	errs := map[string]string{"zone": "is not a zone", "reference": "is too long", "title": "is required", "form": "Not saved.", "deadline": "is not a date"}
	cases := []struct {
		name   string
		lang   string
		fields []formField
		want   []summaryItem
	}{
		{"the tender form's problems in its order, the whole form's first and unknown fields last", "en", tenderFormFields, []summaryItem{
			{Text: "Not saved."}, {Target: "title", Text: "Title: is required"}, {Target: "reference", Text: "Reference: is too long"},
			{Target: "deadline", Text: "Deadline for answers: is not a date"}, {Target: "zone", Text: fieldLabelIn("en", "zone") + ": is not a zone"},
		}},
		{"labels in the reader's language and links to the inputs' ids", "nl", []formField{{Name: "reference", ID: "ref-input"}, {Name: "title", ID: "title-input"}}, []summaryItem{
			{Text: "Not saved."}, {Target: "ref-input", Text: "Kenmerk: is too long"}, {Target: "title-input", Text: "Titel: is required"},
			{Target: "deadline", Text: fieldLabelIn("nl", "deadline") + ": is not a date"}, {Target: "zone", Text: fieldLabelIn("nl", "zone") + ": is not a zone"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := errorSummaryOf(c.lang, errs, c.fields)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("summary\n%v\nwant\n%v", got, c.want)
			}
			for _, it := range got {
				if strings.Contains(it.Text, "label.") {
					t.Errorf("a field is named by its key: %q", it.Text)
				}
			}
		})
	}
}
