package catalogue_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/catalogue"
	"tenderprobe/models"
	"tenderprobe/models/dbtest"
	"tenderprobe/seed"
)

const goodYAML = `version: "2030.1"
title: Test catalogue
standards:
  - slug: dnssec
    name: DNSSEC
    domain: network-infrastructure
    references:
      - {kind: RFC, id: "9364", title: DNSSEC, url: "https://www.rfc-editor.org/rfc/rfc9364"}
    summary: Signed DNS.
    why_demand: Forged answers.
    clause: The Supplier shall sign.
    checks: [web.dnssec, mail.dnssec]
  - slug: iso-27001
    name: ISO/IEC 27001
    domain: data-protection-privacy
    references:
      - {kind: ISO, id: "ISO/IEC 27001:2022", title: ISMS, url: "https://www.iso.org/standard/27001"}
    summary: ISMS.
    why_demand: Management.
    clause: The Supplier shall be certified.
    checks: []
`

func TestParseReportsTheLineAndField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, format, input string
		line                int
		field, code         string
	}{
		{"a wrong domain names the standard's domain field and its line", catalogue.FormatYAML,
			strings.Replace(goodYAML, "domain: data-protection-privacy", "domain: web", 1),
			15, "standards[1].domain", "not_one_of"},
		{"an unknown check id is refused", catalogue.FormatYAML,
			strings.Replace(goodYAML, "mail.dnssec]", "mail.dnsssec]", 1),
			12, "standards[0].checks[1]", "unknown_check"},
		{"a duplicate slug is refused", catalogue.FormatYAML,
			strings.Replace(goodYAML, "slug: iso-27001", "slug: dnssec", 1),
			13, "standards[1].slug", "slug_used"},
		{"a misspelt field is refused rather than ignored", catalogue.FormatYAML,
			strings.Replace(goodYAML, "    why_demand: Management.", "    why_demmand: Management.", 1),
			19, "standards[1].why_demmand", "unknown_field_of"},
		{"a missing clause is required", catalogue.FormatYAML,
			strings.Replace(goodYAML, "    clause: The Supplier shall sign.\n", "", 1),
			4, "standards[0].clause", "required"},
		{"an RFC reference needs a number", catalogue.FormatYAML,
			strings.Replace(goodYAML, `id: "9364"`, `id: "RFC9364"`, 1),
			8, "standards[0].references[0].id", "not_an_rfc"},
		{"a reference needs a web address", catalogue.FormatYAML,
			strings.Replace(goodYAML, `url: "https://www.iso.org/standard/27001"`, `url: "iso.org"`, 1),
			17, "standards[1].references[0].url", "not_a_web_url"},
		{"a YAML syntax error names its line", catalogue.FormatYAML,
			strings.Replace(goodYAML, "    name: DNSSEC", "    name: [DNSSEC", 1),
			0, "", ""},
		{"a list where text belongs names the line", catalogue.FormatYAML,
			strings.Replace(goodYAML, "    summary: ISMS.", "    summary: [a, b]", 1),
			18, "", "yaml_syntax"},
		{"a missing version is required", catalogue.FormatYAML,
			strings.Replace(goodYAML, `version: "2030.1"`, `version: ""`, 1),
			1, "version", "required"},
		{"JSON with a number where text belongs names the line", catalogue.FormatJSON,
			"{\n  \"version\": \"1\",\n  \"title\": \"t\",\n  \"standards\": [\n    {\"slug\": 5}\n  ]\n}",
			5, "standards.slug", "wrong_type"},
		{"JSON with an unknown field names it", catalogue.FormatJSON,
			"{\n  \"version\": \"1\",\n  \"titel\": \"t\"\n}",
			3, "titel", "unknown_field"},
		{"JSON syntax errors name the line", catalogue.FormatJSON,
			"{\n  \"version\": \"1\",\n  \"title\": \"t\",,\n}",
			3, "", "json_syntax"},
		{"a JSON validation error names the line of the standard", catalogue.FormatJSON,
			"{\n  \"version\": \"1\",\n  \"title\": \"t\",\n  \"standards\": [\n    {\"slug\": \"a\"},\n\n    {\"slug\": \"Bad Slug\"}\n  ]\n}",
			7, "standards[1].slug", "bad_slug"},
		{"a wrong domain in JSON names the line of the domain field", catalogue.FormatJSON, jsonWith(`"domain": "web"`, `"checks": ["web.hsts"]`),
			10, "standards[0].domain", "not_one_of"},
		{"an unknown check in JSON names the line of the check", catalogue.FormatJSON, jsonWith(`"domain": "communication"`, `"checks": [
        "mail.spf",
        "mail.spff"
      ]`),
			19, "standards[0].checks[1]", "unknown_check"},
		{"text that is not UTF-8 is refused", catalogue.FormatYAML, "version: \xff\xfe", 0, "", "not_utf8"},
		{"an empty file is refused", catalogue.FormatJSON, "", 0, "", "empty_file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := catalogue.Parse(strings.NewReader(c.input), c.format)
			var ife *catalogue.InvalidFileError
			if !errors.As(err, &ife) {
				t.Fatalf("got %v, want *InvalidFileError", err)
			}
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Field != "file" {
				t.Errorf("the error does not unwrap to a validation error: %v", err)
			}
			for _, p := range ife.Problems {
				if !slices.Contains(catalogue.ProblemCodes, p.Code) {
					t.Errorf("problem code %q is not in ProblemCodes, so it may have no words", p.Code)
				}
				if (c.line == 0 || p.Line == c.line) && (c.field == "" || p.Field == c.field) && (c.code == "" || p.Code == c.code) {
					if c.line == 0 && c.field == "" && c.code == "" && p.Line == 0 {
						t.Errorf("a syntax error without a line: %v", p)
					}
					return
				}
			}
			t.Errorf("no problem at line %d field %q with code %q in: %v", c.line, c.field, c.code, err)
		})
	}
	t.Run("every problem in a file is reported at once", func(t *testing.T) {
		bad := strings.Replace(strings.Replace(goodYAML, "domain: network-infrastructure", "domain: net", 1), "web.dnssec", "web.x", 1)
		_, err := catalogue.Parse(strings.NewReader(bad), catalogue.FormatYAML)
		var ife *catalogue.InvalidFileError
		if !errors.As(err, &ife) || len(ife.Problems) != 2 {
			t.Errorf("got %v", err)
		}
	})
	t.Run("a file with very many problems lists the first ones and a count", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("version: v\ntitle: t\nstandards:\n")
		for range 100 {
			b.WriteString("  - {slug: a, domain: web}\n")
		}
		_, err := catalogue.Parse(strings.NewReader(b.String()), catalogue.FormatYAML)
		var ife *catalogue.InvalidFileError
		if !errors.As(err, &ife) || len(ife.Problems) != catalogue.MaxProblems+1 ||
			ife.Problems[catalogue.MaxProblems].Code != catalogue.CodeMoreProblems || ife.Problems[catalogue.MaxProblems].Params["count"] == nil {
			t.Errorf("got %d problems", len(ife.Problems))
		}
	})
	t.Run("a good file parses", func(t *testing.T) {
		f, err := catalogue.Parse(strings.NewReader(goodYAML), catalogue.FormatYAML)
		if err != nil || len(f.Standards) != 2 || f.Standards[0].Checks[1] != "mail.dnssec" {
			t.Errorf("got %+v, %v", f, err)
		}
	})
}

// jsonWith returns a one-standard JSON catalogue with the given domain and
// checks members; the domain is on line 10.
func jsonWith(domain, checks string) string {
	return `{
  "version": "1",
  "title": "t",
  "standards": [

    {
      "slug": "spf",
      "name": "SPF",

      ` + domain + `,
      "references": [
        {"kind": "RFC", "id": "7208", "title": "SPF", "url": "https://www.rfc-editor.org/rfc/rfc7208"}
      ],
      "summary": "s",
      "why_demand": "w",
      "clause": "c",
      ` + checks + `
    }
  ]
}`
}

func TestDetectFormat(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, file, content, want string }{
		{"a .json name is JSON", "c.json", "version: 1", catalogue.FormatJSON},
		{"a .yml name is YAML", "c.yml", "{}", catalogue.FormatYAML},
		{"an unnamed upload starting with a brace is JSON", "", "  {\"version\":1}", catalogue.FormatJSON},
		{"anything else is YAML", "upload", "version: 1", catalogue.FormatYAML},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := catalogue.DetectFormat(c.file, []byte(c.content)); got != c.want {
				t.Errorf("got %s", got)
			}
		})
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	for _, format := range []string{catalogue.FormatYAML, catalogue.FormatJSON} {
		t.Run("in "+format, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				ctx := context.Background()
				if _, err := seed.LoadCatalogue(ctx, db); err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				if err := catalogue.Export(ctx, db, &out, format); err != nil {
					t.Fatal(err)
				}
				exported, err := catalogue.Parse(bytes.NewReader(out.Bytes()), format)
				if err != nil {
					t.Fatalf("the export does not parse: %v", err)
				}
				original, _ := seed.Catalogue()
				if !reflect.DeepEqual(exported, original) {
					t.Errorf("export differs from the embedded catalogue")
				}
				// Import the export into a fresh database of the same kind.
				fresh := dbtest.Open(t)
				if db.Name() == "postgres" {
					fresh = dbtest.OpenPostgres(t)
				}
				cv, err := catalogue.Import(ctx, fresh, bytes.NewReader(out.Bytes()), format)
				if err != nil {
					t.Fatal(err)
				}
				a, _ := models.ListStandards(ctx, db, models.StandardFilter{})
				b, _ := models.ListStandards(ctx, fresh, models.StandardFilter{})
				if !cv.Current || len(a) != len(b) {
					t.Fatalf("imported %d of %d standards, current %v", len(b), len(a), cv.Current)
				}
				for i := range a {
					a[i].ID, a[i].CatalogueVersionID, b[i].ID, b[i].CatalogueVersionID = 0, 0, 0, 0
					if !reflect.DeepEqual(a[i], b[i]) {
						t.Errorf("standard %s differs after the round trip:\n%+v\n%+v", a[i].Slug, a[i], b[i])
					}
				}
			})
		})
	}
}

func TestImportNewVersion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		old, err := seed.LoadCatalogue(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		buyer, _ := models.CreateOrg(ctx, db, nil, "Buyer", models.OrgBuyer, time.Now())
		officer, err := models.CreateUser(ctx, db, nil, "o@example.test", "O", "correct horse battery 1", models.RoleOfficer, &buyer.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		before, err := models.CreateTender(ctx, db, officer, models.TenderInput{Title: "built on the old catalogue"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		cv, err := catalogue.Import(ctx, db, strings.NewReader(goodYAML), catalogue.FormatYAML)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the new version becomes current", func(t *testing.T) {
			cur, err := models.CurrentCatalogue(ctx, db)
			if err != nil || cur.ID != cv.ID || cur.Version != "2030.1" {
				t.Errorf("current %+v, %v", cur, err)
			}
			all, _ := models.ListStandards(ctx, db, models.StandardFilter{})
			if len(all) != 2 {
				t.Errorf("current catalogue has %d standards", len(all))
			}
		})
		t.Run("a tender keeps the version it was built from", func(t *testing.T) {
			got, _ := models.FindTender(ctx, db, before.ID)
			if got.CatalogueVersionID != old.ID {
				t.Errorf("tender moved to version %d", got.CatalogueVersionID)
			}
			// hsts is not in the new version but is in the tender's own.
			if _, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, before.ID), before.ID, models.RequirementInput{Standard: "hsts", Level: models.LevelMandatory}, time.Now()); err != nil {
				t.Errorf("adding from the tender's own version: %v", err)
			}
			after, _ := models.CreateTender(ctx, db, officer, models.TenderInput{Title: "built on the new catalogue"}, time.Now())
			if after.CatalogueVersionID != cv.ID {
				t.Errorf("new tender uses version %d", after.CatalogueVersionID)
			}
			if _, err := models.AddRequirement(ctx, db, dbtest.ManagerOf(db, after.ID), after.ID, models.RequirementInput{Standard: "hsts", Level: models.LevelMandatory}, time.Now()); err == nil {
				t.Error("a standard missing from the new version was added")
			}
		})
		t.Run("importing the same version again is a conflict and changes nothing", func(t *testing.T) {
			_, err := catalogue.Import(ctx, db, strings.NewReader(goodYAML), catalogue.FormatYAML)
			if !errors.Is(err, models.ErrConflict) {
				t.Errorf("got %v", err)
			}
			vs, _ := models.ListCatalogueVersions(ctx, db)
			if len(vs) != 2 {
				t.Errorf("%d versions", len(vs))
			}
		})
		t.Run("loading the embedded catalogue again does not take current back", func(t *testing.T) {
			if _, err := seed.LoadCatalogue(ctx, db); err != nil {
				t.Fatal(err)
			}
			cur, _ := models.CurrentCatalogue(ctx, db)
			if cur.ID != cv.ID {
				t.Errorf("current is now %s", cur.Version)
			}
		})
		t.Run("an older version can be listed by name", func(t *testing.T) {
			got, err := models.ListStandards(ctx, db, models.StandardFilter{Version: old.Version, Domain: models.DomainCommunication})
			if err != nil || len(got) < 5 {
				t.Errorf("got %d, %v", len(got), err)
			}
		})
	})
}

func TestListStandards(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if _, err := seed.LoadCatalogue(ctx, db); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			filter models.StandardFilter
			check  func([]models.Standard) bool
		}{
			{"no filter lists the whole catalogue in file order", models.StandardFilter{}, func(s []models.Standard) bool {
				return len(s) >= 25 && s[0].Slug == "ipv6" && s[0].Position == 1
			}},
			{"a search ignores case", models.StandardFilter{Query: "DNSsec"}, func(s []models.Standard) bool {
				return len(s) >= 1 && s[0].Slug == "dnssec"
			}},
			{"a search looks in the summary too", models.StandardFilter{Query: "ml-kem"}, func(s []models.Standard) bool {
				return len(s) == 1 && s[0].Slug == "pq-key-exchange"
			}},
			{"a percent sign matches only itself", models.StandardFilter{Query: "%"}, func(s []models.Standard) bool { return len(s) == 0 }},
			{"a domain filter keeps only that domain", models.StandardFilter{Domain: models.DomainCommunication}, func(s []models.Standard) bool {
				for _, x := range s {
					if x.Domain != models.DomainCommunication {
						return false
					}
				}
				return len(s) >= 7
			}},
			{"search and domain combine", models.StandardFilter{Query: "iso", Domain: models.DomainWeb}, func(s []models.Standard) bool { return len(s) == 0 }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := models.ListStandards(ctx, db, c.filter)
				if err != nil || !c.check(got) {
					slugs := []string{}
					for _, s := range got {
						slugs = append(slugs, s.Slug)
					}
					t.Errorf("got %v, %v", slugs, err)
				}
			})
		}
		t.Run("an unknown domain is refused", func(t *testing.T) {
			_, err := models.ListStandards(ctx, db, models.StandardFilter{Domain: "web"})
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Field != "domain" {
				t.Errorf("got %v", err)
			}
		})
		t.Run("an unknown version is not found", func(t *testing.T) {
			if _, err := models.ListStandards(ctx, db, models.StandardFilter{Version: "1999"}); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("got %v", err)
			}
		})
		t.Run("an unknown slug is not found", func(t *testing.T) {
			if _, err := models.FindStandardBySlug(ctx, db, "nope"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("got %v", err)
			}
		})
	})
}
