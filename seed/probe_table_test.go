package seed_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// probeTables reads CheckIDs and StandardOf from the probe engine's source.
// Parsing the one file, rather than importing the package, keeps these
// tests independent of the rest of the probe package while it is being built.
func probeTables(t *testing.T) (ids []string, standardOf map[string]string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../app/probe/engine.go", nil, 0)
	if err != nil {
		t.Fatalf("read probe engine: %v", err)
	}
	standardOf = map[string]string{}
	unquote := func(e ast.Expr) string {
		lit, ok := e.(*ast.BasicLit)
		if !ok {
			t.Fatalf("probe engine: %T is not a string literal", e)
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 {
			return true
		}
		cl, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		switch vs.Names[0].Name {
		case "CheckIDs":
			for _, e := range cl.Elts {
				ids = append(ids, unquote(e))
			}
		case "StandardOf":
			for _, e := range cl.Elts {
				kv := e.(*ast.KeyValueExpr)
				standardOf[unquote(kv.Key)] = unquote(kv.Value)
			}
		}
		return true
	})
	if len(ids) == 0 || len(standardOf) == 0 {
		t.Fatal("probe engine: CheckIDs or StandardOf not found in engine.go")
	}
	return ids, standardOf
}
