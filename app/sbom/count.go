package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
)

// countComponents counts, without building them, the components content
// lists: objects in a "components" array (CycloneDX JSON, at any depth)
// or a "packages" array (SPDX JSON), component elements (CycloneDX XML),
// PackageName tags (SPDX tag-value). Parse refuses a file over
// MaxComponents by this count before decoding it: the decoders build
// every component first, and a 10 MB file of 800,000 small components
// took 1.3 GB. A count it cannot finish (broken syntax) is left to the
// decoder, which says where the file is broken.
func countComponents(content []byte, format string) int {
	switch format {
	case CycloneDXJSON:
		return countJSON(content, "components")
	case SPDXJSON:
		return countJSON(content, "packages")
	case CycloneDXXML:
		return countXML(content)
	case SPDXTagValue:
		n := 0
		sc := bufio.NewScanner(bytes.NewReader(content))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if bytes.HasPrefix(bytes.TrimSpace(sc.Bytes()), []byte("PackageName:")) {
				n++
			}
		}
		return n
	}
	return 0
}

// countJSON counts the objects that are elements of an array under key.
func countJSON(content []byte, key string) int {
	type frame struct {
		array   bool
		key     string // the member an array or object is the value of
		wantKey bool   // in an object, the next string is a member name
		member  string
	}
	dec := json.NewDecoder(bytes.NewReader(content))
	var stack []frame
	n := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			// The end, or broken syntax the decoder will report.
			return n
		}
		// The member this value belongs to, and whether the value is
		// an element of an array.
		var under string
		inArray := false
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if !top.array {
				if s, ok := tok.(string); ok && top.wantKey {
					top.member, top.wantKey = s, false
					continue
				}
				under = top.member
				top.wantKey = true
			} else {
				under, inArray = top.key, true
			}
		}
		switch tok {
		case json.Delim('{'):
			if inArray && under == key {
				n++
				if n > MaxComponents {
					return n
				}
			}
			stack = append(stack, frame{key: under, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{array: true, key: under})
		case json.Delim('}'), json.Delim(']'):
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}

// countXML counts component elements.
func countXML(content []byte) int {
	dec := xml.NewDecoder(bytes.NewReader(content))
	n := 0
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return n
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "component" {
			n++
			if n > MaxComponents {
				return n
			}
		}
	}
}
