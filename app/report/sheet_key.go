package report

import (
	"encoding/binary"
	"time"
)

// appendKey appends what s shows to b, field by field, for its hash
// (SheetHash): length-prefixed strings, fixed-width numbers, a marker for
// an absent time. It does what encoding/json did here at a sixth of the
// cost, which was most of a stored sheet's send. Every field must be
// written: TestTheSheetKeyCoversEveryField changes each in turn.
func (s *Sheet) appendKey(b []byte) []byte {
	b = appendStrings(b, s.Title, s.Reference, s.Buyer, s.Status)
	b = binary.AppendVarint(b, int64(s.Revision))
	b = appendStrings(b, s.EstimatedValue)
	b = binary.AppendVarint(b, s.ValueCents)
	b = appendStrings(b, s.Currency)
	b = appendTime(b, s.Deadline)
	b = appendTime(b, s.PublishedAt)
	b = binary.AppendUvarint(b, uint64(len(s.ScopeTags)))
	b = appendStrings(b, s.ScopeTags...)
	b = appendStrings(b, s.CatalogueVersion, s.Description)
	b = binary.AppendUvarint(b, uint64(len(s.Requirements)))
	for i := range s.Requirements {
		r := &s.Requirements[i]
		b = appendStrings(b, r.Standard, r.Slug, r.Domain, r.Level, r.Clause, r.Note)
		b = binary.AppendUvarint(b, uint64(len(r.References)))
		b = appendStrings(b, r.References...)
		b = binary.AppendUvarint(b, uint64(len(r.Checks)))
		for _, c := range r.Checks {
			b = appendStrings(b, string(c))
		}
	}
	return b
}

func appendStrings(b []byte, ss ...string) []byte {
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// appendTime writes the instant and the zone offset t is in (the sheet
// states times in the tender's zone, which the hash covers apart).
func appendTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, 0)
	}
	_, off := t.Zone()
	b = append(b, 1)
	b = binary.AppendVarint(b, t.UnixNano())
	return binary.AppendVarint(b, int64(off))
}
