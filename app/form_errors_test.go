package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"tenderprobe/models"
)

// refusedField is what a refused form must show of one field: the id of
// its input and words of its message.
type refusedField struct {
	id, words string
}

// errorSummaryLinks are the targets the page's error summary links to, in
// order.
func errorSummaryLinks(t *testing.T, body string) []string {
	t.Helper()
	box := regexp.MustCompile(`(?s)<div class="error-summary"[^>]*>.*?</div>`).FindString(body)
	var out []string
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(box, -1) {
		out = append(out, m[1])
	}
	return out
}

// checkRefusedFields checks that each field is marked (aria-invalid,
// aria-describedby naming its message), has its message next to it and is
// linked from the error summary, in the form's order.
func checkRefusedFields(t *testing.T, body string, fields []refusedField) {
	t.Helper()
	var ids []string
	for _, f := range fields {
		ids = append(ids, f.id)
		input := regexp.MustCompile(`<(?:input|select|textarea)[^>]*\bid="` + f.id + `"[^>]*>`).FindString(body)
		if !strings.Contains(input, `aria-invalid="true"`) || !regexp.MustCompile(`aria-describedby="[^"]*\b`+f.id+`-error\b`).MatchString(input) {
			t.Errorf("field %s is not marked: %s", f.id, input)
		}
		msg := regexp.MustCompile(`id="` + f.id + `-error">([^<]*)<`).FindStringSubmatch(body)
		if msg == nil || !strings.Contains(html.UnescapeString(msg[1]), f.words) {
			t.Errorf("no %q next to field %s; got %v", f.words, f.id, msg)
		}
	}
	if got := errorSummaryLinks(t, body); !reflect.DeepEqual(got, ids) {
		t.Errorf("the error summary links to %v, want %v", got, ids)
	}
}

func TestEveryProblemOfATenderOrUserFormIsShownAtOnce(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	officer, admin := a.session("officer@demo.test"), a.session("admin@demo.test")
	draft, _ := a.newDraft("Stays as it is")
	buyer := a.user("officer@demo.test").OrgID
	longRef := strings.Repeat("r", 150)
	tenderForm := func(amount string) url.Values {
		return url.Values{"title": {" "}, "reference": {longRef}, "estimated_value": {amount}, "currency": {"EUR"}}
	}
	userForm := url.Values{"email": {"not-an-address"}, "name": {" "}, "password": {"short"}, "role": {"vendor"}, "org_id": {fmt.Sprint(*buyer)}}

	cases := []struct {
		name    string
		who     *client
		lang    string
		path    string
		form    url.Values
		heading string
		fields  []refusedField
		count   any
	}{
		{"a new tender in English", officer, "en", "/tenders", tenderForm("1.250"), "There is a problem", []refusedField{
			{"title", "is required"}, {"reference", "is longer than 100 characters"}, {"estimated_value", `"1.250" can be read in two ways`},
		}, &models.Tender{}},
		{"a new tender in Dutch", officer, "nl", "/tenders", tenderForm("1,250"), "Er is een probleem", []refusedField{
			{"title", "is verplicht"}, {"reference", "is langer dan 100 tekens"}, {"estimated_value", `"1,250" kan op twee manieren worden gelezen`},
		}, &models.Tender{}},
		{"an edited tender in Spanish", officer, "es", fmt.Sprintf("/tenders/%d", draft.ID), tenderForm("1,250"), "Hay un problema", []refusedField{
			{"title", "es obligatorio"}, {"reference", "100"}, {"estimated_value", `"1,250"`},
		}, &models.Tender{}},
		{"an edited tender in Dutch", officer, "nl", fmt.Sprintf("/tenders/%d", draft.ID), tenderForm("1,250"), "Er is een probleem", []refusedField{
			{"title", "is verplicht"}, {"reference", "is langer dan 100 tekens"}, {"estimated_value", `"1,250"`},
		}, &models.Tender{}},
		{"a new account in English", admin, "en", "/admin/users", userForm, "There is a problem", []refusedField{
			{"user-email", `"not-an-address" is not an e-mail address`}, {"user-name", "is required"},
			{"user-password", "must be at least"}, {"user-org", "a vendor must belong to a supplier organisation"},
		}, &models.User{}},
		{"a new account in Dutch", admin, "nl", "/admin/users", userForm, "Er is een probleem", []refusedField{
			{"user-email", `"not-an-address" is geen e-mailadres`}, {"user-name", "is verplicht"},
			{"user-password", "moet minstens"}, {"user-org", "moet bij een leveranciersorganisatie horen"},
		}, &models.User{}},
	}
	for _, c := range cases {
		t.Run(c.name+": every field is marked and listed, nothing is saved", func(t *testing.T) {
			before := a.count(c.count)
			c.who.cookies["tp_lang"] = c.lang
			res := c.who.post(c.path, c.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", res.status, errorText(res.body))
			}
			if !strings.Contains(res.body, "<h2>"+c.heading+"</h2>") {
				t.Errorf("no error summary headed %q", c.heading)
			}
			checkRefusedFields(t, res.body, c.fields)
			if a.count(c.count) != before {
				t.Error("a refused form saved a record")
			}
		})
	}
	t.Run("the edited tender kept its details", func(t *testing.T) {
		if got := a.tender(t, fmt.Sprint(draft.ID)); got.Title != "Stays as it is" || got.Reference == longRef {
			t.Errorf("stored %q %q", got.Title, got.Reference)
		}
	})
}

func TestTheTenderAPIListsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	api := a.apiClient("officer@demo.test")
	body := map[string]any{"title": "", "reference": strings.Repeat("r", 150), "deadline": "next week", "currency": "EURO"}
	cases := []struct {
		lang  string
		first string
		words []string
	}{
		{"en", "title: is required", []string{
			"title: is required", "reference: is longer than 100 characters", `currency: "EURO" is not a three-letter currency code`,
			`deadline: "next week" is not a date like 2026-12-31`}},
		{"nl", "title: is verplicht", []string{
			"title: is verplicht", "reference: is langer dan 100 tekens", `currency: "EURO" is geen valutacode van drie letters`,
			`deadline: "next week" is geen datum zoals 2026-12-31`}},
	}
	for _, c := range cases {
		t.Run("in "+c.lang+" the answer keeps its fields and lists every problem", func(t *testing.T) {
			before := a.count(&models.Tender{})
			raw, _ := json.Marshal(body)
			req := httptest.NewRequest(http.MethodPost, "/api/v1/tenders", bytes.NewReader(raw))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Language", c.lang)
			res := api.do(req)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", res.status, res.body)
			}
			got := res.json(t)
			if got["error"] != c.first || got["code"] != "field.required" || got["field"] != "title" {
				t.Errorf("error, code and field: %v", got)
			}
			var words, fields []string
			items, _ := got["errors"].([]any)
			for _, it := range items {
				m, _ := it.(map[string]any)
				words, fields = append(words, fmt.Sprint(m["error"])), append(fields, fmt.Sprint(m["field"]))
			}
			if !reflect.DeepEqual(words, c.words) || !reflect.DeepEqual(fields, []string{"title", "reference", "currency", "deadline"}) {
				t.Errorf("errors lists %q on %v, want %q", words, fields, c.words)
			}
			if a.count(&models.Tender{}) != before {
				t.Error("a refused request created a tender")
			}
		})
	}
}

func TestTheAnswerPageShowsEveryProblemOfAnAnswerAtOnce(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	cases := []struct {
		lang        string
		explanation string
		planned     string
	}{
		// The date as the reader writes dates, not as the form sends it.
		{"en", "is required when the answer is partial", "1 Jan 2026 is in the past"},
		{"nl", "is verplicht bij het antwoord", "1 jan 2026 ligt in het verleden"},
	}
	for _, c := range cases {
		t.Run("in "+c.lang+" a partial answer without an explanation and with a past date is refused on both fields", func(t *testing.T) {
			w := newAttestWorld(t, a)
			vendor := a.session("vendor@demo.test")
			vendor.cookies["tp_lang"] = c.lang
			res := vendor.post(w.path("/answers"), url.Values{
				fmt.Sprintf("status-%d", w.dnssec): {"partial"}, fmt.Sprintf("explanation-%d", w.dnssec): {""},
				fmt.Sprintf("planned_date-%d", w.dnssec): {"2026-01-01"},
			})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", res.status, errorText(res.body))
			}
			checkRefusedFields(t, res.body, []refusedField{
				{fmt.Sprintf("explanation-%d", w.dnssec), c.explanation}, {fmt.Sprintf("planned-%d", w.dnssec), c.planned},
			})
			if an := w.answerOfReq(t, w.dnssec); an.Answered() {
				t.Errorf("the refused answer was stored: %+v", an)
			}
		})
	}
}
