package graph

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/valyala/fastjson"
)

// page is what a Graph collection response says besides its records:
// where the next page is.
type page struct {
	next string // @odata.nextLink; "" on the last page
}

// parsePage checks that body is a Graph collection response, a JSON
// object with a "value" array, and returns its nextLink. The error says
// what is wrong, for a PageError. The body is validated whole (a page
// cut short is not JSON) without building it: its top-level members are
// walked, their values skipped, so that a page's thousand sign-ins are
// decoded once, by the store's reader.
func parsePage(body []byte) (page, error) {
	if err := fastjson.ValidateBytes(body); err != nil {
		return page{}, fmt.Errorf("not JSON: %v", err)
	}
	s := skipSpace(body, 0)
	if body[s] != '{' {
		return page{}, fmt.Errorf("not a JSON object")
	}
	var pg page
	hasValue := false
	i := skipSpace(body, s+1)
	for body[i] != '}' {
		// A key, a colon, a value, then a comma or the end.
		kEnd := skipString(body, i)
		key := body[i:kEnd]
		i = skipSpace(body, kEnd)
		i = skipSpace(body, i+1) // the colon
		vEnd := skipValue(body, i)
		switch string(key) {
		case `"value"`:
			if body[i] != '[' {
				return page{}, fmt.Errorf("\"value\" is not an array")
			}
			hasValue = true
		case `"@odata.nextLink"`:
			if string(body[i:vEnd]) != "null" {
				v, err := fastjson.ParseBytes(body[i:vEnd])
				if err != nil || v.Type() != fastjson.TypeString {
					return page{}, fmt.Errorf("\"@odata.nextLink\" is not a string")
				}
				pg.next = string(v.GetStringBytes())
			}
		default:
			if strings.ContainsRune(string(key), '\\') {
				// An escaped key might spell one of the two above.
				v, _ := fastjson.ParseBytes(key)
				if k := string(v.GetStringBytes()); k == "value" || k == "@odata.nextLink" {
					return page{}, fmt.Errorf("the key %s is escaped", key)
				}
			}
		}
		i = skipSpace(body, vEnd)
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	if !hasValue {
		return page{}, fmt.Errorf("no \"value\" array")
	}
	return pg, nil
}

// The skips below read JSON ValidateBytes has accepted.

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] ('"').
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

// checkNext refuses a nextLink that leaves the Graph endpoint the pull
// was given (the token must not go elsewhere) or is not an absolute
// https (or, for tests, http) URL.
func checkNext(next string, base *url.URL) error {
	u, err := url.Parse(next)
	if err != nil {
		return fmt.Errorf("@odata.nextLink %q is not a URL: %v", next, err)
	}
	if u.Scheme != base.Scheme || !strings.EqualFold(u.Host, base.Host) {
		return fmt.Errorf("@odata.nextLink %q leaves %s://%s", next, base.Scheme, base.Host)
	}
	return nil
}
