package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"

	"tenderprobe/app/i18n"
	"tenderprobe/models"
)

// RendererVersion names the layout code's version in every stored
// document's hash. Bump it with any change to how a document is laid out
// (this package's drawing code, sizes, colours, order of sections), so
// documents stored by the old code are rendered anew. The texts (each
// message's "other" form: bump for a change to a "one" form alone), the
// fonts and the gofpdf version are hashed by themselves and need no bump.
const RendererVersion = 1

// A Document is a PDF ready to send. Hash, when set, is the hash of
// everything the document shows (its ETag); Stored says it came from
// storage rather than a render.
type Document struct {
	Body   []byte
	Hash   string
	Stored bool
}

// renderer is the part of every hash that does not depend on the data:
// the layout version, the embedded fonts and the gofpdf module version.
var renderer = sync.OnceValue(func() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "tenderprobe-pdf\x00layout %d\x00", RendererVersion)
	for _, font := range [][]byte{fontRegular, fontBold, fontRegularSingleJSON, fontRegularSingle, fontBoldSingleJSON, fontBoldSingle} {
		h.Write(font)
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/jung-kurt/gofpdf" {
				fmt.Fprintf(h, "\x00%s %s %s", m.Path, m.Version, m.Sum)
			}
		}
	}
	return h.Sum(nil)
})

// textHashes holds, by language, the hash of the messages a document in
// that language is written with: its own and English, which stands in for
// a message the language lacks.
var textHashes sync.Map

func textsHash(lang string) []byte {
	if v, ok := textHashes.Load(lang); ok {
		return v.([]byte)
	}
	h := sha256.New()
	for _, l := range []string{lang, i18n.Default} {
		texts := catalogue().Texts(l)
		keys := make([]string, 0, len(texts))
		for k := range texts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(h, "lang %q %d\x00", l, len(keys))
		for _, k := range keys {
			fmt.Fprintf(h, "%q=%q\x00", k, texts[k])
		}
	}
	sum := h.Sum(nil)
	textHashes.Store(lang, sum)
	return sum
}

// keyHasher starts the hash of a document of kind in the language and
// zone of opt; the caller writes the document's data to it.
func keyHasher(kind string, opt Options) (hash.Hash, *json.Encoder) {
	wd := wordsOf(opt)
	h := sha256.New()
	h.Write(renderer())
	h.Write(textsHash(wd.lang))
	// The zone by name: the document states its times in it.
	fmt.Fprintf(h, "\x00%s\x00%s\x00%s\x00", kind, wd.lang, wd.zone)
	return h, json.NewEncoder(h)
}

// SheetHash is the hash of what the sheet of s shows in opt's language
// and zone, whatever the day it is rendered on.
func SheetHash(s Sheet, opt Options) string {
	h, _ := keyHasher("sheet", opt)
	h.Write(s.appendKey(make([]byte, 0, 4096)))
	return hex.EncodeToString(h.Sum(nil))
}

// AnnualHash is the hash of what the annual report r shows in opt's
// language and zone. The long lists are encoded an element at a time so
// that hashing a large year does not hold its whole JSON in memory.
func AnnualHash(r AnnualReport, opt Options) string {
	h, enc := keyHasher("annual", opt)
	head := r
	head.Tenders, head.Explanations = nil, nil
	must := func(err error) {
		if err != nil {
			panic(fmt.Sprintf("report: hash annual report: %v", err)) // plain structs always encode
		}
	}
	must(enc.Encode(head))
	fmt.Fprintf(h, "tenders %d\x00", len(r.Tenders))
	for i := range r.Tenders {
		must(enc.Encode(&r.Tenders[i]))
	}
	fmt.Fprintf(h, "explanations %d\x00", len(r.Explanations))
	for i := range r.Explanations {
		must(enc.Encode(&r.Explanations[i]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SheetStorable reports whether t's sheet may be stored: once published
// (in any later status too) a tender's sheet is fixed except for what its
// hash covers; a draft changes at every edit and is never stored.
func SheetStorable(t *models.Tender) bool { return !t.IsDraft() && t.PublishedAt != nil }

// YearClosed reports whether the annual report of year may be stored at
// now: once the year is over in UTC, the zone the report sorts tenders
// into years by (models.AnnualFilter), no tender can join it. What its
// tenders still go through (a status, a late submission, a new probe
// run's verdicts, a renamed organisation) changes the report's hash, so a
// stored report is never served stale; an open year changes every day and
// is never stored.
func YearClosed(year int, now time.Time) bool {
	return !now.UTC().Before(time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC))
}

// sheetName and annualName name the document a hash is a version of:
// storing a new version deletes the others. A tender has one sheet (in
// its own language and zone).
func sheetName(tenderID uint) string { return fmt.Sprintf("sheet/%d", tenderID) }

// annualName names a year's annual report in one scope, language and
// zone: each is kept.
func annualName(r AnnualReport, opt Options) string {
	wd := wordsOf(opt)
	return fmt.Sprintf("annual/%d/%s/%s/%s", r.Year, r.Scope, wd.lang, wd.zone)
}

// Stored returns the document stored under hash, or renders it with
// render, stores it under hash as a version of the document name and
// returns what storage then holds. Two processes rendering the same
// document at once both store without error and return the same bytes.
// Documents recently sent are also kept in this process's memory (recent),
// which answers before the database does: a hash names one content, so a
// copy in memory is never stale either.
func Stored(ctx context.Context, db *gorm.DB, hash, name string, now time.Time, render func(*bytes.Buffer) error) (Document, error) {
	mem := recentOf(db)
	if body, ok := mem.get(hash); ok {
		return Document{Body: body, Hash: hash, Stored: true}, nil
	}
	p, err := models.FindStoredPDF(ctx, db, hash)
	if err == nil {
		mem.put(hash, p.Body)
		return Document{Body: p.Body, Hash: hash, Stored: true}, nil
	}
	if !errors.Is(err, models.ErrNotFound) {
		return Document{}, err
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return Document{}, err
	}
	p, err = models.StorePDF(ctx, db, &models.StoredPDF{Hash: hash, Document: name, Body: slices.Clip(buf.Bytes()), CreatedAt: now.UTC()})
	if err != nil {
		return Document{}, err
	}
	mem.put(hash, p.Body)
	return Document{Body: p.Body, Hash: hash}, nil
}

// RecentBytes bounds the documents each process keeps in memory per
// database: the size of a few hundred sheets or a few large annual reports.
const RecentBytes = 32 << 20

// recent keeps the documents last sent, by hash, up to RecentBytes; the
// oldest go first. Bodies are shared and never written to.
type recent struct {
	mu    sync.Mutex
	size  int
	byKey map[string][]byte
	order []string
}

// recents holds one recent per database (by its *sql.DB): tests open many
// databases with the same documents in one process.
var recents sync.Map

func recentOf(db *gorm.DB) *recent {
	r, _ := recents.LoadOrStore(poolOf(db), &recent{byKey: map[string][]byte{}})
	return r.(*recent)
}

// poolOf names db's database within this process: its connection pool,
// which every *gorm.DB session of it shares.
func poolOf(db *gorm.DB) any {
	if sqlDB, err := db.DB(); err == nil {
		return sqlDB
	}
	return db
}

func (r *recent) get(hash string) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.byKey[hash]
	return b, ok
}

func (r *recent) put(hash string, body []byte) {
	if len(body) > RecentBytes/4 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byKey[hash]; ok {
		return
	}
	for r.size+len(body) > RecentBytes && len(r.order) > 0 {
		r.size -= len(r.byKey[r.order[0]])
		delete(r.byKey, r.order[0])
		r.order = r.order[1:]
	}
	r.byKey[hash] = body
	r.order = append(r.order, hash)
	r.size += len(body)
}

// A Plan is a document about to be sent: its hash, when it may be stored,
// and how to render it. A handler answers a request that already has the
// document (If-None-Match) from the hash alone, before Document.
type Plan struct {
	// Hash is the document's hash, "" for one that is never stored.
	Hash    string
	name    string
	created time.Time
	render  func(*bytes.Buffer) error
	// kept, when set, is told that the document is in storage.
	kept func()
}

// Document returns the planned document: from storage, or rendered (and
// stored when it has a hash).
func (p Plan) Document(ctx context.Context, db *gorm.DB) (Document, error) {
	if p.Hash == "" {
		var buf bytes.Buffer
		err := p.render(&buf)
		return Document{Body: buf.Bytes()}, err
	}
	d, err := Stored(ctx, db, p.Hash, p.name, p.created, p.render)
	if err == nil && p.kept != nil {
		p.kept()
	}
	return d, err
}

// SheetPlan plans t's requirement sheet (t loaded by models.FindTender)
// in the tender's language and zone, rendered at now: stored once the
// tender is published.
func SheetPlan(t *models.Tender, now time.Time) Plan {
	s := SheetOf(t, t.Language)
	opt := Options{Created: now, Lang: t.Language, Zone: ZoneOf(t)}
	p := Plan{name: sheetName(t.ID), created: now, render: func(buf *bytes.Buffer) error { return WriteSheet(buf, s, opt) }}
	if SheetStorable(t) {
		p.Hash = SheetHash(s, opt)
	}
	return p
}

// AnnualPlan plans the annual report r in opt's language and zone,
// rendered at opt.Created: stored once its year is closed.
func AnnualPlan(r AnnualReport, opt Options) Plan {
	p := Plan{name: annualName(r, opt), created: opt.Created, render: func(buf *bytes.Buffer) error { return WriteAnnualReport(buf, r, opt) }}
	if YearClosed(r.Year, opt.Created) {
		p.Hash = AnnualHash(r, opt)
	}
	return p
}
