// Package seed holds the standards catalogue and the requirement profiles
// as embedded data, and the idempotent code that loads them, the demo data
// and the first admin account into a database.
package seed

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
	"gorm.io/gorm"

	"tenderprobe/app/catalogue"
	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

//go:embed catalogue.yaml
var catalogueYAML []byte

//go:embed profiles.yaml
var profilesYAML []byte

// CatalogueFile returns the embedded catalogue file as YAML, for people who
// want a template to edit and import.
func CatalogueFile() []byte { return bytes.Clone(catalogueYAML) }

// Catalogue parses and validates the embedded catalogue.
func Catalogue() (*catalogue.File, error) {
	f, err := catalogue.Parse(bytes.NewReader(catalogueYAML), catalogue.FormatYAML)
	if err != nil {
		return nil, fmt.Errorf("seed: embedded catalogue: %w", err)
	}
	return f, nil
}

// shippedVersions are the catalogue versions earlier releases embedded.
// A database whose current version is one of them follows the shipped
// catalogue: the embedded version becomes current when it is loaded.
var shippedVersions = []string{"2026.1"}

// LoadCatalogue stores the embedded catalogue version unless it is already
// in the database, so running it on every start changes nothing after the
// first time. A database that has the version from before the catalogue
// carried translations gains them (models.AddMissingTranslations: only
// where the English texts are the same). It becomes the current version
// when there is none yet, or when the current one is a version an earlier
// release shipped: an admin who imported a version of their own keeps it
// current. Tenders keep the version they were built from either way.
func LoadCatalogue(ctx context.Context, db *gorm.DB) (*models.CatalogueVersion, error) {
	f, err := Catalogue()
	if err != nil {
		return nil, err
	}
	cv, err := models.FindCatalogueVersion(ctx, db, f.Version)
	if err == nil {
		return cv, addTranslations(ctx, db, cv, f)
	}
	if !errors.Is(err, models.ErrNotFound) {
		return nil, fmt.Errorf("seed: load catalogue: %w", err)
	}
	follow := false
	cur, err := models.CurrentCatalogue(ctx, db)
	switch {
	case err == nil:
		follow = slices.Contains(shippedVersions, cur.Version)
	case !errors.Is(err, models.ErrNotFound):
		return nil, fmt.Errorf("seed: load catalogue: %w", err)
	}
	cv, err = models.ImportCatalogueVersion(ctx, db, nil, f.Head(), f.ToModels(), follow, time.Now())
	if errors.Is(err, models.ErrConflict) {
		// Another process loaded it between our look-up and our insert.
		return models.FindCatalogueVersion(ctx, db, f.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("seed: load catalogue: %w", err)
	}
	return cv, nil
}

// addTranslations gives the stored version cv of the embedded catalogue f
// the translations it lacks.
func addTranslations(ctx context.Context, db *gorm.DB, cv *models.CatalogueVersion, f *catalogue.File) error {
	english := make(map[string]models.StandardText, len(f.Standards))
	translations := make(map[string]models.StandardTranslations, len(f.Standards))
	for _, s := range f.ToModels() {
		english[s.Slug] = s.In(i18n.Default)
		translations[s.Slug] = s.Translations
	}
	if _, err := models.AddMissingTranslations(ctx, db, cv.ID, f.Head().TitleTranslations, english, translations, time.Now()); err != nil {
		return fmt.Errorf("seed: add translations to catalogue %s: %w", cv.Version, err)
	}
	return nil
}

var (
	profilesOnce sync.Once
	profiles     []models.Profile
	profilesErr  error
)

// Profiles returns the embedded requirement profiles in file order.
func Profiles() ([]models.Profile, error) {
	profilesOnce.Do(func() {
		var doc struct {
			Profiles []models.Profile `yaml:"profiles"`
		}
		dec := yaml.NewDecoder(bytes.NewReader(profilesYAML))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil {
			profilesErr = fmt.Errorf("seed: embedded profiles: %w", err)
			return
		}
		for i, p := range doc.Profiles {
			if p.Slug == "" || p.Name == "" || len(p.Items) == 0 {
				profilesErr = fmt.Errorf("seed: embedded profiles: profiles[%d] needs a slug, a name and items", i)
				return
			}
			for j, it := range p.Items {
				if err := models.ValidateLevel(it.Level); err != nil {
					profilesErr = fmt.Errorf("seed: embedded profiles: profiles[%d].items[%d]: %w", i, j, err)
					return
				}
			}
		}
		profiles = doc.Profiles
	})
	if profilesErr != nil {
		return nil, profilesErr
	}
	return append([]models.Profile(nil), profiles...), nil
}

// FindProfile returns the profile with slug, or models.ErrNotFound.
func FindProfile(slug string) (models.Profile, error) {
	all, err := Profiles()
	if err != nil {
		return models.Profile{}, err
	}
	for _, p := range all {
		if p.Slug == slug {
			return p, nil
		}
	}
	return models.Profile{}, fmt.Errorf("seed: profile %q: %w", slug, models.ErrNotFound)
}
