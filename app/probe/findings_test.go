package probe

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tenderprobe/app/i18n"
	"tenderprobe/app/probe/check"
)

var findingPlaceholder = regexp.MustCompile(`\{(\w+)(?::([\w.]+))?\}`)

// placeholders are a message's {name} and {name:ns} parameters.
func placeholders(msg string) map[string]string {
	out := map[string]string{}
	for _, m := range findingPlaceholder.FindAllStringSubmatch(msg, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// findingUse is one place a finding code is set, with the parameter names
// given there when they are a map literal (nil when not known).
type findingUse struct {
	code   string
	params []string
	where  string
}

// findingUses reads the package's Go files, and those of the parsers and
// validators whose problems become findings (codedPackages), for finding
// codes: a string literal directly followed by a map literal or nil among
// a call's arguments or a composite literal's elements (newFinding, Sub,
// set, at, add, fail, spfErr, Problem), the argument of notApplicable, and
// a literal assigned to a variable named code.
func findingUses(t *testing.T) []findingUse {
	t.Helper()
	var files []string
	for _, dir := range append([]string{"."}, codedPackages...) {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	fset := token.NewFileSet()
	var uses []findingUse
	lit := func(e ast.Expr) (string, bool) {
		b, ok := e.(*ast.BasicLit)
		if !ok || b.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	pair := func(list []ast.Expr) {
		for i := 0; i+1 < len(list); i++ {
			code, ok := lit(list[i])
			if !ok {
				continue
			}
			where := fset.Position(list[i].Pos()).String()
			switch p := list[i+1].(type) {
			case *ast.Ident:
				if p.Name == "nil" {
					uses = append(uses, findingUse{code, []string{}, where})
				}
			case *ast.CompositeLit:
				if mt, ok := p.Type.(*ast.MapType); ok {
					if k, ok := mt.Key.(*ast.Ident); ok && k.Name == "string" {
						var names []string
						for _, el := range p.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								if n, ok := lit(kv.Key); ok {
									names = append(names, n)
								}
							}
						}
						uses = append(uses, findingUse{code, names, where})
					}
				}
			case *ast.CallExpr:
				// keyDesc and sigDesc build the params of a certificate's key
				// and signature.
				if id, ok := p.Fun.(*ast.Ident); ok && (id.Name == "keyDesc" || id.Name == "sigDesc") {
					uses = append(uses, findingUse{code, nil, where})
				}
			}
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				pair(n.Args)
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "notApplicable" && len(n.Args) > 0 {
					if code, ok := lit(n.Args[0]); ok {
						uses = append(uses, findingUse{code, []string{}, fset.Position(n.Pos()).String()})
					}
				}
			case *ast.CompositeLit:
				pair(n.Elts)
				// Sub{Code: "x", Params: map[string]any{…}}
				var code, params ast.Expr = nil, ast.NewIdent("nil")
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						switch k, _ := kv.Key.(*ast.Ident); {
						case k != nil && k.Name == "Code":
							code = kv.Value
						case k != nil && k.Name == "Params":
							params = kv.Value
						}
					}
				}
				if code != nil {
					pair([]ast.Expr{code, params})
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "code" && i < len(n.Rhs) {
						if code, ok := lit(n.Rhs[i]); ok {
							uses = append(uses, findingUse{code, nil, fset.Position(n.Pos()).String()})
						}
					}
				}
			}
			return true
		})
	}
	return uses
}

// codedPackages are the packages below app/probe whose problems the probe
// shows as findings: they set codes too.
var codedPackages = []string{"parse", "rpki", "dnssec"}

func TestEveryFindingHasMessagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	cat := i18n.Messages()
	uses := findingUses(t)
	if len(uses) < 150 {
		t.Fatalf("found only %d places that set a finding: the scan is broken", len(uses))
	}
	// Codes set outside this package: the demo seed and the verdicts.
	for _, code := range []string{"demo_meets", "demo_fails", "not_probed"} {
		uses = append(uses, findingUse{code, []string{}, "outside app/probe"})
	}
	for _, u := range uses {
		key := "finding." + u.code
		t.Run(u.code+" at "+filepath.Base(u.where), func(t *testing.T) {
			for _, lang := range []string{"en", "nl", "es"} {
				if !cat.Has(lang, key) {
					t.Fatalf("%s has no message %s", lang, key)
				}
			}
			en := placeholders(cat.Source("en", key))
			if u.params != nil {
				got := slices.Sorted(slices.Values(u.params))
				want := slices.Sorted(maps.Keys(en))
				if !slices.Equal(got, want) {
					t.Errorf("%s: params %v, the message names %v", u.where, got, want)
				}
			}
		})
	}
	for _, key := range cat.Keys("en") {
		if !strings.HasPrefix(key, "finding.") {
			continue
		}
		t.Run(key+" names the same parameters in every language", func(t *testing.T) {
			en := placeholders(cat.Source("en", key))
			for _, lang := range []string{"nl", "es"} {
				if !cat.Has(lang, key) {
					t.Fatalf("%s lacks %s", lang, key)
				}
				got := placeholders(cat.Source(lang, key))
				names := slices.Sorted(maps.Keys(got))
				if want := slices.Sorted(maps.Keys(en)); !slices.Equal(names, want) {
					t.Errorf("%s names %v, en %v", lang, names, want)
				}
				for name, ns := range got {
					if en[name] == "finding" && ns != "finding" {
						t.Errorf("%s: {%s} is a finding in en but {%s:%s} in %s", key, name, name, ns, lang)
					}
				}
				if lang != "en" && cat.Source(lang, key) == cat.Source("en", key) && strings.ContainsFunc(
					findingPlaceholder.ReplaceAllString(cat.Source("en", key), ""), func(r rune) bool { return r >= 'a' && r <= 'z' }) &&
					!strings.Contains(key, "header_problem") {
					t.Errorf("%s is the English text in %s", key, lang)
				}
			}
		})
	}
}

// A check stored as JSON (the probe CLI's output, the database) comes back
// with its finding: read in English it is the summary again, in Dutch the
// same sentence in Dutch, sub-findings and whole numbers included.
func TestFindingsSurviveJSON(t *testing.T) {
	t.Parallel()
	c := newFinding(check.MailSTARTTLS, StatusFail, "starttls_not_encrypted", map[string]any{"hosts": []Sub{
		{Code: "at_target", Params: map[string]any{"target": "mx.example.test", "problem": Sub{Code: "then", Params: map[string]any{
			"first": Sub{Code: "starttls_not_offered", Params: map[string]any{"hosts": []string{"192.0.2.1:25", "[2001:db8::1]:25"}}},
			"rest":  Sub{Code: "mtasts_ok", Params: map[string]any{"count": 3, "max_age": 31557600}},
		}}}},
	}}, nil)
	want := "Mail transport not properly encrypted: mx.example.test: STARTTLS not offered on 192.0.2.1:25, [2001:db8::1]:25 MTA-STS policy enforced for all 3 mail servers (max_age 31557600 s)."
	if c.Summary != want {
		t.Fatalf("summary %q, want %q", c.Summary, want)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"finding":"starttls_not_encrypted"`) || !strings.Contains(string(b), `"finding_params":`) {
		t.Fatalf("the JSON lacks the finding: %s", b)
	}
	var back Check
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	cat := i18n.Messages()
	if got := FindingText(cat, "en", back.Finding, back.FindingParams); got != c.Summary {
		t.Errorf("en after JSON: %q, want %q", got, c.Summary)
	}
	nl := FindingText(cat, "nl", back.Finding, back.FindingParams)
	if nl != findingText("nl", c.Finding, c.FindingParams) {
		t.Errorf("nl after JSON %q differs from before %q", nl, findingText("nl", c.Finding, c.FindingParams))
	}
	for _, w := range []string{"Mailtransport niet goed versleuteld", "STARTTLS wordt niet aangeboden op 192.0.2.1:25", "max_age 31557600 s"} {
		if !strings.Contains(nl, w) {
			t.Errorf("nl %q lacks %q", nl, w)
		}
	}
	var old Check
	if err := json.Unmarshal([]byte(`{"id":"web.hsts","status":"pass","summary":"HSTS is set."}`), &old); err != nil || old.Finding != "" {
		t.Errorf("a check stored before findings had codes: %+v %v", old, err)
	}
}
