package catalogue_test

import (
	"bytes"
	"errors"
	"testing"

	"tenderprobe/app/catalogue"
	"tenderprobe/seed"
)

// FuzzParse feeds arbitrary files to the parser: it must never panic, and
// whatever it refuses must be refused as an *InvalidFileError naming at
// least one problem.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodYAML), false)
	f.Add(seed.CatalogueFile(), false)
	f.Add([]byte(jsonWith(`"domain": "web"`, `"checks": ["x"]`)), true)
	f.Add([]byte(`{"standards": [1, {"checks": {"a": [1]}}, []]}`), true)
	f.Add([]byte("standards:\n  - 1\n  - {references: 5}\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		format := catalogue.FormatYAML
		if asJSON {
			format = catalogue.FormatJSON
		}
		file, err := catalogue.Parse(bytes.NewReader(data), format)
		if err == nil {
			if file == nil || len(file.Standards) == 0 || file.Version == "" {
				t.Fatalf("accepted an incomplete catalogue: %+v", file)
			}
			return
		}
		var ife *catalogue.InvalidFileError
		if !errors.As(err, &ife) || len(ife.Problems) == 0 {
			t.Fatalf("refused without problems: %v", err)
		}
	})
}
