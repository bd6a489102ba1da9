package handlers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"tenderprobe/app/attest"
	"tenderprobe/app/catalogue"
	"tenderprobe/app/dnsname"
	"tenderprobe/app/passwords"
	"tenderprobe/models"
)

func TestProblemOf(t *testing.T) {
	wrapped := func(err error) error { return fmt.Errorf("models: attestation 7: %w", err) }
	cases := []struct {
		name   string
		err    error
		status int
		field  string
		text   string
	}{
		{"invalid input is 422 and names its field", &models.ValidationError{Field: "title", Code: "too_long", Params: map[string]any{"max": 200}},
			422, "title", "Title: is longer than 200 characters"},
		{"invalid input without a field concerns the whole form", &models.ValidationError{Code: "required"}, 422, "form", "is required"},
		{"a stale form is 409 and asks for a reload", wrapped(models.ErrStale), 409, "", "reload and apply your change again"},
		{"a passed deadline is 409 and says so", wrapped(models.ErrDeadlinePassed), 409, "", "deadline has passed"},
		{"a published tender is 409 and points to amending", wrapped(models.ErrLocked), 409, "", "Amend it to make a new revision"},
		{"a state with parameters names them", wrapped(&models.StateError{Code: "already_on_sheet", Params: map[string]any{"standard": "dnssec"}}),
			409, "", "dnssec is already on the sheet"},
		{"another supplier's vendor is 403", wrapped(&models.ForbiddenError{Code: "not_vendor"}), 403, "", "Only a vendor of the supplier"},
		{"a bare ErrForbidden is 403 about the role", wrapped(models.ErrForbidden), 403, "", "Your role does not allow this."},
		{"a record nobody may see is 404", wrapped(models.ErrNotFound), 404, "", "Not found."},
		{"a duplicate is 409 without the developer's text", fmt.Errorf("models: create org \"x\": %w", models.ErrConflict), 409, "", "This clashes with existing data."},
		{"a closed invitation is 410", wrapped(models.ErrInvitationClosed), 410, "", "expired, was revoked or was already used"},
		{"a wrong password is 401", models.ErrInvalidCredentials, 401, "", "Wrong e-mail address or password."},
		{"an incomplete submission lists what is missing", &models.MissingError{Missing: []models.Problem{
			{Code: "unanswered", Params: map[string]any{"requirement_id": uint(3), "position": 2, "standard": "DNSSEC"}},
			{Code: "declarer"},
		}}, 422, "", "Cannot submit yet: requirement 2 (DNSSEC) is not answered; type your name as the declarer."},
		{"an evidence file over the limit is 413 with the limit in MB", attest.ErrTooLarge, 413, "", "larger than 10 MB"},
		{"an empty evidence file is 422 on the file field", attest.ErrEmptyFile, 422, "file", "File: is empty"},
		{"a handler's refusal keeps its status", refuse(400, "request.bad_id", "name", "tender_id"), 400, "", "tender_id must be a positive whole number"},
		{"Fiber's own refusal is told in the catalogue's words", fiber.ErrMethodNotAllowed, 405, "", "does not take this kind of request"},
		{"Fiber's missing page is 404", fiber.ErrNotFound, 404, "", "There is no page at this address."},
		{"anything else is 500 and tells nothing of the cause", errors.New("pq: connection refused at 10.0.0.1"), 500, "", "Something went wrong on our side."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := problemOf(c.err)
			if p.Status != c.status || p.Field != c.field || !strings.Contains(p.text("en"), c.text) {
				t.Errorf("got %d %q %q, want %d %q and words with %q", p.Status, p.Field, p.text("en"), c.status, c.field, c.text)
			}
			if strings.Contains(p.text("en"), "models:") || strings.Contains(p.text("en"), "{") {
				t.Errorf("the words %q show a developer's text or an unfilled parameter", p.text("en"))
			}
		})
	}
}

func TestProblemJSON(t *testing.T) {
	t.Run("invalid input keeps error and adds code and field", func(t *testing.T) {
		body := problemOf(&models.ValidationError{Field: "level", Code: "required"}).json("en")
		if body["error"] != "level: is required" || body["code"] != "field.required" || body["field"] != "level" {
			t.Errorf("body %v", body)
		}
	})
	t.Run("an incomplete submission lists the missing items as words and as codes", func(t *testing.T) {
		body := problemOf(&models.MissingError{Missing: []models.Problem{{Code: "declaration"}, {Code: "declarer"}}}).json("en")
		words, _ := body["missing"].([]string)
		items, _ := body["missing_items"].([]models.Problem)
		if len(words) != 2 || words[0] != "tick the declaration that the answers are true and complete" || len(items) != 2 || items[1].Code != "declarer" {
			t.Errorf("body %v", body)
		}
	})
}

func TestMessage(t *testing.T) {
	cases := []struct {
		name, key string
		params    map[string]any
		want      string
	}{
		{"parameters are filled in", "field.too_long", map[string]any{"max": 200}, "is longer than 200 characters"},
		{"a list of words is joined by commas", "field.not_one_of", map[string]any{"value": "x", "allowed": []string{"a", "b"}}, `"x" is not one of a, b`},
		{"a status code becomes its words", "field.explanation_required", map[string]any{"status": models.AnswerDoesNotComply},
			"is required when the answer is does not comply: explain why and what you do instead"},
		{"a list of problems is written item by item", "field.bad_scope", map[string]any{"problems": []models.Problem{
			{Code: "bad_domain", Params: map[string]any{"kind": "web", "name": "localhost", "reason": dnsname.CodeOneLabel}},
			{Code: "bad_domain_character", Params: map[string]any{"kind": "mail", "name": "a*b.test", "char": "*"}},
			{Code: "too_many_domains", Params: map[string]any{"count": 51, "max": 50}},
		}}, `web domain "localhost": needs at least two labels, like example.nl; mail domain "a*b.test": the character "*" is not allowed in a host name; 51 domain names given, at most 50 are allowed`},
		{"an unknown key shows as itself", "field.no_such_code", nil, "field.no_such_code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := messageIn("en", c.key, c.params); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestEveryCodeHasWords reads the code that makes errors (models, the
// catalogue package and handlers) and checks that every code it can give
// has words in the catalogue, so a new code cannot reach a user as a key.
func TestEveryCodeHasWords(t *testing.T) {
	type source struct {
		glob     string
		patterns map[string]*regexp.Regexp // namespace -> code in group 1
	}
	field := regexp.MustCompile(`(?:invalid|invalidInput)\((?:"[^"]*"|[^,]+), "(\w+)"|ValidationError\{Field: [^,]+, Code: "(\w+)"`)
	state := regexp.MustCompile(`newState\("(\w+)"|StateError\{Code: "(\w+)"`)
	forbidden := regexp.MustCompile(`ForbiddenError\{Code: "(\w+)"`)
	keys := regexp.MustCompile(`(?:refuse\([^,()]+|formError\("\w+") ?, "([\w.]+)"|message\("([\w.]+)"|Key: "([\w.]+)"`)
	problems := regexp.MustCompile(`(?:problem|requirementProblem)\("(\w+)"`)
	sources := []source{
		{"../models/*.go", map[string]*regexp.Regexp{"field.": field, "state.": state, "forbidden.": forbidden}},
		{"../models/submission.go", map[string]*regexp.Regexp{"missing.": problems}},
		{"../models/scope.go", map[string]*regexp.Regexp{"scope.": problems}},
		{"../app/catalogue/*.go", map[string]*regexp.Regexp{"field.": field}},
		{"*.go", map[string]*regexp.Regexp{"field.": field, "forbidden.": forbidden, "": keys}},
	}
	found := 0
	for _, s := range sources {
		files, err := filepath.Glob(s.glob)
		if err != nil || len(files) == 0 {
			t.Fatalf("no files match %s: %v", s.glob, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for ns, re := range s.patterns {
				for _, m := range re.FindAllStringSubmatch(string(src), -1) {
					code := strings.Join(m[1:], "")
					if strings.HasSuffix(code, ".") || strings.HasSuffix(code, "_") {
						continue // a prefix completed at run time, checked on its own
					}
					found++
					if !hasMessage(ns + code) {
						t.Errorf("%s gives %s%s, which has no words in the catalogue", f, ns, code)
					}
				}
			}
		}
	}
	for _, code := range catalogue.ProblemCodes {
		if !hasMessage("catalogue.problem." + code) {
			t.Errorf("catalogue problem code %s has no words in the catalogue", code)
		}
	}
	for _, code := range []string{dnsname.CodeEmpty, dnsname.CodeIDNA, dnsname.CodeTooLong, dnsname.CodeOneLabel,
		dnsname.CodeBadLabel, dnsname.CodeHyphenEdge, dnsname.CodeIPAddress} {
		if !hasMessage("dnsname." + code) {
			t.Errorf("domain name code %s has no words in the catalogue", code)
		}
	}
	for _, r := range []passwords.Reason{passwords.InvalidUTF8, passwords.TooLong, passwords.ControlCharacter,
		passwords.Blank, passwords.TooShort, passwords.Context, passwords.Common} {
		if !hasMessage("field.password_" + string(r)) {
			t.Errorf("password reason %s has no words in the catalogue", r)
		}
	}
	if found < 100 {
		t.Errorf("found only %d codes; the patterns no longer match the code", found)
	}
}

func TestCatalogueTemplates(t *testing.T) {
	unbalanced := regexp.MustCompile(`\{[^}]*\{|\}[^{]*\}`)
	placeholder := regexp.MustCompile(`^\{(\w+)(?::([\w.]+))?\}$`)
	for _, lang := range messages.Languages() {
		for key, tmpl := range messages.Texts(lang) {
			key = lang + ": " + key
			if strings.Count(tmpl, "{") != strings.Count(tmpl, "}") || unbalanced.MatchString(tmpl) {
				t.Errorf("%s: braces do not pair in %q", key, tmpl)
			}
			for _, m := range regexp.MustCompile(`\{([^}]*)\}`).FindAllStringSubmatch(tmpl, -1) {
				if !placeholder.MatchString("{" + m[1] + "}") {
					t.Errorf("%s: {%s} is not a {name} or {name:namespace}", key, m[1])
				}
			}
		}
	}
}
