package report

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// longTitle is a tender title near the 200 characters a title may have.
const longTitle = "Hosting, beheer en doorontwikkeling van de websites, e-maildiensten en digitale loketten " +
	"van de gemeente Utrecht-Zuid en de samenwerkende regiogemeenten, perceel 3 van 4"

// placedWord is a word of a PDF page as pdftotext -bbox places it, in pt.
type placedWord struct {
	page                   int
	xMin, yMin, xMax, yMax float64
	text                   string
}

var bboxTag = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// placedWords reads every word of a PDF with its position, and the size
// of its (A4, so equal) pages.
func placedWords(t *testing.T, pdf []byte) (words []placedWord, width, height float64) {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdftotext"), "-bbox", writePDF(t, pdf), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	page := 0
	num := func(b []byte) float64 {
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, m := range bboxTag.FindAllSubmatch(out, -1) {
		if m[1] != nil {
			page++
			width, height = num(m[1]), num(m[2])
			continue
		}
		text := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(string(m[7]))
		words = append(words, placedWord{page, num(m[3]), num(m[4]), num(m[5]), num(m[6]), text})
	}
	if page == 0 || len(words) == 0 {
		t.Fatal("pdftotext -bbox read no page or no word")
	}
	return words, width, height
}

// mm converts millimetres to points.
func mm(v float64) float64 { return v * 72 / 25.4 }

func TestRunningHeadersAndFootersStayWithinTheMargins(t *testing.T) {
	t.Parallel()
	oneWord := strings.Repeat("Hostingbeheerdoorontwikkeling", 6)
	for _, tc := range []struct {
		name, keep string // keep: a text the header must show whole
		render     func(t *testing.T) []byte
	}{
		{"a requirement sheet with a long title keeps its reference", "TP-2026-001", func(t *testing.T) []byte {
			s := sampleSheet(30)
			s.Title = longTitle
			var buf bytes.Buffer
			if err := WriteSheet(&buf, s, Options{Created: fixedDate}); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}},
		{"a Dutch requirement sheet with a long title and a long reference", "PERCEEL-3/2026/UTRECHT-ZUID", func(t *testing.T) []byte {
			s := sampleSheet(2)
			s.Title, s.Reference = longTitle+" 𝔘", "GEMEENTE-UTRECHT-ZUID/INKOOP/PERCEEL-3/2026/UTRECHT-ZUID"
			var buf bytes.Buffer
			if err := WriteSheet(&buf, s, Options{Created: fixedDate, Lang: "nl"}); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}},
		{"a requirement sheet whose long title is one word", "TP-2026-001", func(t *testing.T) []byte {
			s := sampleSheet(2)
			s.Title = oneWord
			var buf bytes.Buffer
			if err := WriteSheet(&buf, s, Options{Created: fixedDate}); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}},
		{"a tender report with a long title keeps its reference", "GV-2026-007", func(t *testing.T) []byte {
			r := sampleTender()
			r.Title = longTitle
			return renderTender(t, r)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			words, width, height := placedWords(t, tc.render(t))
			left, right := mm(margin)-0.5, width-mm(margin)+0.5
			headers, footers := map[int][]string{}, map[int][]string{}
			pages := 0
			for _, w := range words {
				pages = max(pages, w.page)
				if w.xMin < left || w.xMax > right {
					t.Errorf("page %d: %q spans %.1f–%.1f pt, outside the margins at %.1f and %.1f pt", w.page, w.text, w.xMin, w.xMax, left, right)
				}
				switch {
				case w.yMax < mm(margin):
					headers[w.page] = append(headers[w.page], w.text)
				case w.yMin > height-mm(16):
					footers[w.page] = append(footers[w.page], w.text)
				}
			}
			for p := 1; p <= pages; p++ {
				head, foot := strings.Join(headers[p], " "), strings.Join(footers[p], " ")
				if !strings.Contains(head, "…") || !strings.Contains(head, tc.keep) {
					t.Errorf("page %d's header %q is not shortened with an ellipsis keeping %q", p, head, tc.keep)
				}
				if !regexp.MustCompile(`(Page|Pagina) ` + strconv.Itoa(p) + ` (of|van) ` + strconv.Itoa(pages) + `$`).MatchString(foot) {
					t.Errorf("page %d's footer %q does not end with its page number of %d", p, foot, pages)
				}
			}
		})
	}
}

func TestCharactersTheFontsLackPrintReadably(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		render func(t *testing.T) []byte
		want   []string
	}{
		{"a mathematical letter in a sheet's title prints as its plain letter", func(t *testing.T) []byte {
			s := sampleSheet(1)
			s.Title = "Beheer 𝔘trecht-Zuid"
			var buf bytes.Buffer
			if err := WriteSheet(&buf, s, Options{Created: fixedDate}); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}, []string{"Requirement sheet · Beheer Utrecht-Zuid · TP-2026-001", "Beheer Utrecht-Zuid"}},
		{"an emoji and Chinese in a sheet's clause print as white squares", func(t *testing.T) []byte {
			s := sampleSheet(1)
			s.Requirements[0].Clause = "Sign 🔏 every zone (签名) 👍🏽 Zürich."
			var buf bytes.Buffer
			if err := WriteSheet(&buf, s, Options{Created: fixedDate}); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}, []string{"Sign □ every zone (□□) □ Zürich."}},
		{"a tender report's title and explanations print their letters and squares", func(t *testing.T) []byte {
			r := sampleTender()
			r.Title = "Hosting 🚀 for 𝔘trecht ＮＬ"
			return renderTender(t, r)
		}, []string{"Hosting □ for Utrecht NL", "plain HTTP □ until June"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			needTool(t, "pdftotext")
			text := flatText(pdfText(t, tc.render(t)))
			if strings.ContainsRune(text, '\uFFFD') {
				t.Errorf("the PDF's text has a replacement character: %s", text)
			}
			for _, want := range tc.want {
				if !strings.Contains(text, want) {
					t.Errorf("the PDF's text lacks %q:\n%s", want, text)
				}
			}
		})
	}
}
