package handlers

import (
	"html"
	"html/template"
	"strconv"
	"strings"
)

// The matrix table is written here rather than in the template: at 200
// vendors by 40 requirements html/template's reflective walk over 8,000
// cells took three quarters of the render (about 200 ms of CPU); writing
// the same markup into one buffer takes a few milliseconds. Every text
// goes through html.EscapeString, as the template would have escaped it.
// The rest of the page stays in templates/review/matrix.html.

type tableWriter struct {
	strings.Builder
	words tableWords
}

// tableWords are the catalogue's words the table repeats, looked up once
// per render and escaped.
type tableWords struct {
	mandatory, needsAccept, accept, of, vendor, requirement string
	summary                                                 [4]string
}

func newTableWords(lang string) tableWords {
	e := func(key string) string { return html.EscapeString(messageIn(lang, key, nil)) }
	return tableWords{
		mandatory: e("review.cell.mandatory"), needsAccept: e("review.cell.needs_accept"), accept: e("review.cell.accept"),
		of: e("review.cell.of"), vendor: e("review.head.vendor"), requirement: e("review.head.requirement"),
		summary: [4]string{e("review.summary.mandatory_met"), e("review.summary.contradicted"), e("review.summary.open"), e("review.summary.explained")},
	}
}

func (w *tableWriter) s(parts ...string) {
	for _, p := range parts {
		w.WriteString(p)
	}
}

// text writes s escaped for element content and attribute values.
func (w *tableWriter) text(s string) { w.WriteString(html.EscapeString(s)) }

func (w *tableWriter) id(n uint) { w.WriteString(strconv.FormatUint(uint64(n), 10)) }

func (w *tableWriter) num(n int) { w.WriteString(strconv.Itoa(n)) }

// vendorHead writes a vendor's header cell content.
func (w *tableWriter) vendorHead(v *vendorView) {
	w.s(`<a href="/attestations/`)
	w.id(v.ID)
	w.s(`">`)
	w.text(v.Name)
	w.s(`</a> <span class="small">`)
	w.text(v.StatusWords)
	w.s(` · v`)
	w.num(v.Version)
	w.s(`</span>`)
}

// requirementHead writes a requirement's header cell content.
func (w *tableWriter) requirementHead(r *requirementView, position bool) {
	if position {
		w.num(r.Position)
		w.s(". ")
	}
	w.text(r.Name)
	w.s(` <span class="badge `)
	w.text(r.Level)
	w.s(`">`)
	w.text(r.LevelWords)
	w.s(`</span>`)
}

// cell writes one answer's cell: the answer (a link to it), the mark of a
// mandatory "does not comply" or a not-applicable awaiting acceptance,
// the verdict (its mark comes from the class, in CSS), the review state
// and the accept button. The review state is a bare text node: at 8,000
// cells every element counts in the browser's parse and layout.
func (w *tableWriter) cell(c *cellView) {
	w.s(`<td id="c`)
	w.id(c.AttID)
	w.s("-")
	w.id(c.ReqID)
	w.s(`"`)
	if c.Class != "" {
		w.s(` class="`, c.Class, `"`)
	}
	if c.Other {
		w.s(` data-other`)
	}
	w.s(`><a href="/attestations/`)
	w.id(c.AttID)
	w.s(`#answer-`)
	w.id(c.ReqID)
	w.s(`">`)
	w.text(c.Answer)
	w.s(`</a>`)
	if c.Refuses {
		w.s(`<strong class="refuses">`, refusesMark, ` `, w.words.mandatory, `</strong>`)
	}
	if c.NeedsAccept {
		w.s(`<strong class="needs-accept">`, w.words.needsAccept, `</strong>`)
	}
	w.s(`<b>`)
	w.text(c.Verdict)
	w.s(`</b>`)
	w.text(c.Review)
	if c.Accept {
		w.s(`<button name="answer" value="`)
		w.id(c.AttID)
		w.s("-")
		w.id(c.ReqID)
		w.s(`" aria-describedby="v`)
		w.id(c.AttID)
		w.s(" r")
		w.id(c.ReqID)
		w.s(`">`, w.words.accept)
		if c.Confirm {
			w.s("…")
		}
		w.s(`</button>`)
	}
	w.s(`</td>`)
}

// summary writes a vendor's four summary cells, in the order of
// tableWords.summary.
func (w *tableWriter) summary(v *vendorView, class string) {
	for i, n := range []int{v.Summary.MandatoryMet, v.Summary.Contradicted, v.Summary.Open, v.Summary.Explained} {
		w.s(`<td`, class, `>`)
		w.num(n)
		if i == 0 {
			w.s(" ", w.words.of, " ")
			w.num(v.Summary.Mandatory)
		}
		w.s(`</td>`)
	}
}

// Table is the matrix table's head and body.
func (p *matrixPage) Table() template.HTML {
	w := tableWriter{words: newTableWords(p.Lang)}
	w.Grow(len(p.Vendors)*len(p.Requirements)*190 + 4096)
	if p.Transposed {
		w.s(`<thead><tr><th scope="col" class="corner">`, w.words.vendor, `</th>`)
		for _, l := range w.words.summary {
			w.s(`<th scope="col" class="sum">`, l, `</th>`)
		}
		for i := range p.Requirements {
			r := &p.Requirements[i]
			w.s(`<th scope="col" id="r`)
			w.id(r.ID)
			w.s(`">`)
			w.requirementHead(r, true)
			w.s(`</th>`)
		}
		w.s("</tr></thead>\n<tbody>\n")
		for i := range p.Rows {
			row := &p.Rows[i]
			w.s(`<tr><th scope="row" id="v`)
			w.id(row.Vendor.ID)
			w.s(`">`)
			w.vendorHead(row.Vendor)
			w.s(`</th>`)
			w.summary(row.Vendor, ` class="sum"`)
			for j := range row.Cells {
				w.cell(&row.Cells[j])
			}
			w.s("</tr>\n")
		}
		w.s("</tbody>")
		return template.HTML(w.String())
	}
	w.s(`<thead><tr><th scope="col" class="corner">`, w.words.requirement, `</th>`)
	for i := range p.Vendors {
		w.s(`<th scope="col" id="v`)
		w.id(p.Vendors[i].ID)
		w.s(`">`)
		w.vendorHead(&p.Vendors[i])
		w.s(`</th>`)
	}
	w.s("</tr></thead>\n<tbody>\n")
	for k, l := range w.words.summary {
		w.s(`<tr class="sum"><th scope="row">`, l, `</th>`)
		for i := range p.Vendors {
			v := &p.Vendors[i]
			n := []int{v.Summary.MandatoryMet, v.Summary.Contradicted, v.Summary.Open, v.Summary.Explained}[k]
			w.s(`<td>`)
			w.num(n)
			if k == 0 {
				w.s(" ", w.words.of, " ")
				w.num(v.Summary.Mandatory)
			}
			w.s(`</td>`)
		}
		w.s("</tr>\n")
	}
	for i := range p.Rows {
		row := &p.Rows[i]
		w.s(`<tr><th scope="row" id="r`)
		w.id(row.Req.ID)
		w.s(`">`)
		w.requirementHead(row.Req, true)
		w.s(`</th>`)
		for j := range row.Cells {
			w.cell(&row.Cells[j])
		}
		w.s("</tr>\n")
	}
	w.s("</tbody>")
	return template.HTML(w.String())
}
