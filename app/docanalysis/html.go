package docanalysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// htmlBlocks are the elements that end a run of text.
var htmlBlocks = map[string]bool{
	"p": true, "div": true, "li": true, "dt": true, "dd": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "br": true, "section": true, "article": true, "header": true,
	"footer": true, "main": true, "aside": true, "nav": true, "blockquote": true, "pre": true,
	"caption": true, "title": true, "ul": true, "ol": true, "table": true, "hr": true, "address": true,
	"figcaption": true, "details": true, "summary": true, "form": true, "body": true,
}

// extractHTML reads an HTML page with golang.org/x/net/html's tokenizer:
// block elements end a paragraph, h1–h6 are headings, table rows become
// rows of cells, script and style are skipped.
func extractHTML(ctx context.Context, data []byte) (*Document, error) {
	r, err := charset.NewReader(bytes.NewReader(data), "text/html")
	if err != nil {
		return nil, fmt.Errorf("docanalysis: html charset: %w", err)
	}
	z := html.NewTokenizer(r)
	f := &flow{budget: &budget{}}
	skip, list := 0, 0
	inCell := false
	flush := func() error {
		if len(f.paras) == 0 {
			return nil
		}
		return f.endPara()
	}
	open := func(heading bool, level int) {
		f.startPara()
		f.cur().heading = heading
		f.cur().level = level
		f.cur().list = list > 0
	}
	for i := 0; ; i++ {
		if i%4096 == 0 {
			if err := deadline(ctx); err != nil {
				return nil, err
			}
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				if err := flush(); err != nil {
					return nil, err
				}
				return &Document{Segments: f.segs}, nil
			}
			return nil, fmt.Errorf("docanalysis: html: %w", z.Err())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "noscript", "template", "svg", "head":
				if tt == html.StartTagToken {
					skip++
				}
				continue
			case "table":
				if err := flush(); err != nil {
					return nil, err
				}
				f.startTable()
			case "tr":
				f.startRow()
			case "td", "th":
				if err := flush(); err != nil {
					return nil, err
				}
				f.startCell()
				inCell = true
				open(false, 0)
			case "ul", "ol":
				if err := flush(); err != nil {
					return nil, err
				}
				list++
			default:
				if htmlBlocks[tag] {
					if err := flush(); err != nil {
						return nil, err
					}
					if tag != "br" && tag != "hr" || inCell {
						h := len(tag) == 2 && tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6'
						level := 0
						if h {
							level = int(tag[1] - '0')
						}
						open(h, level)
					}
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "noscript", "template", "svg", "head":
				if skip > 0 {
					skip--
				}
				continue
			case "td", "th":
				if err := flush(); err != nil {
					return nil, err
				}
				f.endCell()
				inCell = false
			case "tr":
				if err := flush(); err != nil {
					return nil, err
				}
				f.endCell()
				f.endRow()
			case "table":
				if err := flush(); err != nil {
					return nil, err
				}
				f.endTable()
			case "ul", "ol":
				if err := flush(); err != nil {
					return nil, err
				}
				if list > 0 {
					list--
				}
			default:
				if htmlBlocks[tag] {
					if err := flush(); err != nil {
						return nil, err
					}
					if inCell {
						open(false, 0)
					}
				}
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := string(z.Text())
			if strings.TrimSpace(text) == "" {
				f.write(" ")
				continue
			}
			if len(f.paras) == 0 {
				open(false, 0)
			}
			f.write(text)
		}
	}
}
