// Package receipt defines the receipt of a submitted attestation: the
// document that records everything the vendor declared in one version, its
// canonical JSON, the SHA-256 of those bytes that is the receipt, and the
// checks that tell later whether the stored declaration still matches it
// and what changed between versions. Receipts are stored with the data and
// must come out the same from the same declaration forever, so this
// package needs no database, no web framework and nothing else of the
// project; models builds the document from its rows.
package receipt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Schema names the layout of Document; it is part of the hashed bytes so a
// future layout can never produce the same receipt as this one.
const Schema = "tenderprobe-attestation-receipt/1"

// Document is everything a vendor declared in one submitted version of an
// attestation. Its canonical JSON (Canonical) is what the receipt hashes.
type Document struct {
	Schema          string           `json:"schema"`
	AttestationID   uint             `json:"attestation_id"`
	Version         int              `json:"version"`
	TenderID        uint             `json:"tender_id"`
	TenderReference string           `json:"tender_reference"`
	TenderTitle     string           `json:"tender_title"`
	SupplierOrgID   uint             `json:"supplier_org_id"`
	SupplierName    string           `json:"supplier_name"`
	Answers         []DocumentAnswer `json:"answers"`
	Scope           DocumentScope    `json:"scope"`
	Declarer        string           `json:"declarer"`
	SubmittedByID   uint             `json:"submitted_by_id"`
	SubmittedBy     string           `json:"submitted_by"`
	SubmittedAt     string           `json:"submitted_at"`
}

// DocumentAnswer is one answer of a Document.
type DocumentAnswer struct {
	RequirementID uint               `json:"requirement_id"`
	Standard      string             `json:"standard"`
	Level         string             `json:"level"`
	Status        string             `json:"status"`
	Explanation   string             `json:"explanation"`
	PlannedDate   string             `json:"planned_date"`
	Evidence      []DocumentEvidence `json:"evidence"`
}

// DocumentEvidence is one piece of evidence: a URL, or a file named by its
// SHA-256 (the file itself stays outside the receipt).
type DocumentEvidence struct {
	Kind     string `json:"kind"`
	URL      string `json:"url"`
	FileName string `json:"file_name"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
}

// DocumentScope lists the domain names the offer covers, in A-label form.
type DocumentScope struct {
	Web  []string `json:"web"`
	Mail []string `json:"mail"`
	// Management lists the management endpoints; left out when there are
	// none, so that receipts of scopes without them hash as before.
	Management []string `json:"management,omitempty"`
}

// TimeString formats t the way receipts store times: UTC, RFC 3339 with
// nanoseconds, so the hashed text never depends on the server's zone.
func TimeString(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// normalise puts every list in a fixed order and replaces nil lists by
// empty ones, so that equal declarations always give equal bytes.
func (d Document) normalise() Document {
	d.Schema = Schema
	answers := append([]DocumentAnswer(nil), d.Answers...)
	sort.SliceStable(answers, func(i, j int) bool { return answers[i].RequirementID < answers[j].RequirementID })
	for i := range answers {
		ev := append([]DocumentEvidence(nil), answers[i].Evidence...)
		sort.SliceStable(ev, func(a, b int) bool {
			if ev[a].Kind != ev[b].Kind {
				return ev[a].Kind < ev[b].Kind
			}
			if ev[a].URL != ev[b].URL {
				return ev[a].URL < ev[b].URL
			}
			if ev[a].SHA256 != ev[b].SHA256 {
				return ev[a].SHA256 < ev[b].SHA256
			}
			return ev[a].FileName < ev[b].FileName
		})
		if ev == nil {
			ev = []DocumentEvidence{}
		}
		answers[i].Evidence = ev
	}
	if answers == nil {
		answers = []DocumentAnswer{}
	}
	d.Answers = answers
	d.Scope.Web = sortedCopy(d.Scope.Web)
	d.Scope.Mail = sortedCopy(d.Scope.Mail)
	if len(d.Scope.Management) > 0 {
		d.Scope.Management = sortedCopy(d.Scope.Management)
	} else {
		d.Scope.Management = nil
	}
	return d
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// Canonical returns the canonical JSON of d: object keys sorted, no
// insignificant white space, no HTML escaping, lists in a fixed order. The
// same declaration always gives the same bytes.
func Canonical(d Document) ([]byte, error) {
	raw, err := json.Marshal(d.normalise())
	if err != nil {
		return nil, fmt.Errorf("receipt: encode document: %w", err)
	}
	// Decoding into generic values and encoding again sorts every object's
	// keys, which makes the bytes independent of Go's struct field order.
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("receipt: canonicalise document: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, fmt.Errorf("receipt: canonicalise document: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Hash returns the hex SHA-256 of canonical bytes: the receipt.
func Hash(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// Compute returns the canonical JSON of d and its receipt.
func Compute(d Document) (canonical []byte, receipt string, err error) {
	canonical, err = Canonical(d)
	if err != nil {
		return nil, "", err
	}
	return canonical, Hash(canonical), nil
}

// Verification is the outcome of re-computing a stored receipt.
type Verification struct {
	// Stored is the receipt saved at submission.
	Stored string `json:"stored"`
	// Recomputed is the receipt of the declaration as the database holds it now.
	Recomputed string `json:"recomputed"`
	// Match is true when both agree: nothing declared has changed since.
	Match bool `json:"match"`
	// Differences names the parts of the declaration that differ from the
	// canonical document saved at submission, when that copy is available.
	Differences []string `json:"differences"`
	// DocumentChanged and Changes are Differences as data, for a page
	// that names them in its reader's language.
	DocumentChanged bool     `json:"-"`
	Changes         []Change `json:"-"`
}

// Verify re-computes the receipt of current and compares it with stored.
// When the canonical bytes saved at submission are given, it also names the
// declared fields that differ, so a mismatch can be explained.
func Verify(stored string, saved []byte, current Document) (Verification, error) {
	canonical, recomputed, err := Compute(current)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{Stored: stored, Recomputed: recomputed, Match: stored == recomputed, Differences: []string{}}
	if Hash(saved) != stored && len(saved) > 0 {
		v.Differences = append(v.Differences, "the saved canonical document no longer matches the stored receipt")
		v.DocumentChanged = true
	}
	if len(saved) > 0 && !bytes.Equal(saved, canonical) {
		var old Document
		if err := json.Unmarshal(saved, &old); err == nil {
			v.Differences = append(v.Differences, Diff(old, current)...)
			v.Changes = Changes(old, current)
		}
	}
	return v, nil
}
