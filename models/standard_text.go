package models

import (
	"encoding/json"
	"slices"

	"tenderprobe/app/i18n"
)

// StandardText is what a reader reads of a standard in one language: its
// name, summary, why to demand it and the clause to sign.
type StandardText struct {
	Lang      string `json:"language"`
	Name      string `json:"name"`
	Summary   string `json:"summary"`
	WhyDemand string `json:"why_demand"`
	Clause    string `json:"clause"`
}

// StandardTranslation is a standard's texts in a language other than the
// catalogue's source language (English), as the catalogue file carries
// them. The references are not translated: they are cited as published.
type StandardTranslation struct {
	Name      string `json:"name" yaml:"name"`
	Summary   string `json:"summary" yaml:"summary"`
	WhyDemand string `json:"why_demand" yaml:"why_demand"`
	Clause    string `json:"clause" yaml:"clause"`
}

// Complete reports whether every text of the translation is there: a
// clause half in one language and half in another is no clause to sign.
func (t StandardTranslation) Complete() bool {
	return t.Name != "" && t.Summary != "" && t.WhyDemand != "" && t.Clause != ""
}

// StandardTranslations are a standard's translations by language tag.
type StandardTranslations map[string]StandardTranslation

// In is the standard's text in lang, falling back to the catalogue's
// source language (English, Lang "en") for a language the standard has no
// complete translation in.
func (s *Standard) In(lang string) StandardText {
	if t, ok := s.Translations[lang]; ok && lang != i18n.Default && t.Complete() {
		return StandardText{Lang: lang, Name: t.Name, Summary: t.Summary, WhyDemand: t.WhyDemand, Clause: t.Clause}
	}
	return StandardText{Lang: i18n.Default, Name: s.Name, Summary: s.Summary, WhyDemand: s.WhyDemand, Clause: s.Clause}
}

// Has reports whether the standard reads in lang without falling back.
func (s *Standard) Has(lang string) bool { return s.In(lang).Lang == lang }

// Languages lists the languages the standard reads in, in the order of
// i18n.Available (the source language, English, first).
func (s *Standard) Languages() []string {
	return slices.DeleteFunc(i18n.Available(), func(lang string) bool { return !s.Has(lang) })
}

// StandardName is a standard's name as a message parameter (a problem's
// "standard"): written in the language of the message it fills in
// (i18n.Named), as the English name in JSON and anywhere else.
type StandardName struct {
	Name         string
	Translations StandardTranslations
}

// NameOf is s's name as a message parameter.
func NameOf(s *Standard) StandardName {
	return StandardName{Name: s.Name, Translations: s.Translations}
}

// NameIn is the name in lang, by the rule of Standard.In.
func (n StandardName) NameIn(lang string) string {
	s := Standard{Name: n.Name, Translations: n.Translations}
	return s.In(lang).Name
}

// String is the English name.
func (n StandardName) String() string { return n.Name }

// MarshalJSON writes the English name, as the problem's JSON always did.
func (n StandardName) MarshalJSON() ([]byte, error) { return json.Marshal(n.Name) }
