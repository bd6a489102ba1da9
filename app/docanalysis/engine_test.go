package docanalysis_test

import (
	"context"
	"sync"
	"testing"

	"tenderprobe/app/docanalysis"
	"tenderprobe/seed"
)

var (
	engineOnce sync.Once
	engine     *docanalysis.Engine
)

// shippedEngine is the engine of the embedded catalogue and profiles.
func shippedEngine(t testing.TB) *docanalysis.Engine {
	t.Helper()
	engineOnce.Do(func() {
		f, err := seed.Catalogue()
		if err != nil {
			t.Fatal(err)
		}
		ps, err := seed.Profiles()
		if err != nil {
			t.Fatal(err)
		}
		engine = docanalysis.FromCatalogue(f.ToModels(), ps, nil)
	})
	if engine == nil {
		t.Fatal("no engine")
	}
	return engine
}

// statusOf analyses text as a plain-text document and returns the status
// of each standard that is not absent.
func statusOf(t *testing.T, text string) map[string]string {
	t.Helper()
	doc, err := docanalysis.Extract(context.Background(), "t.txt", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	res := shippedEngine(t).Analyse(doc, docanalysis.Options{})
	out := map[string]string{}
	for _, s := range res.Standards {
		if s.Status != docanalysis.StatusAbsent {
			out[s.Slug] = s.Status
		}
	}
	return out
}
