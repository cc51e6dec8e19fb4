package graph

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/valyala/fastjson"
)

// page is what a Graph collection response says besides its records:
// how many there are and where the next page is.
type page struct {
	count int
	next  string // @odata.nextLink; "" on the last page
}

// parsePage checks that body is a Graph collection response, a JSON
// object with a "value" array, and returns its nextLink. The error says
// what is wrong, for a PageError.
func parsePage(p *fastjson.Parser, body []byte) (page, error) {
	v, err := p.ParseBytes(body)
	if err != nil {
		return page{}, fmt.Errorf("not JSON: %v", err)
	}
	o, err := v.Object()
	if err != nil {
		return page{}, fmt.Errorf("not a JSON object but %s", v.Type())
	}
	vals := o.Get("value")
	if vals == nil {
		return page{}, fmt.Errorf("no \"value\" array")
	}
	arr, err := vals.Array()
	if err != nil {
		return page{}, fmt.Errorf("\"value\" is %s, not an array", vals.Type())
	}
	pg := page{count: len(arr)}
	if n := o.Get("@odata.nextLink"); n != nil && n.Type() != fastjson.TypeNull {
		s, err := n.StringBytes()
		if err != nil {
			return page{}, fmt.Errorf("\"@odata.nextLink\" is %s, not a string", n.Type())
		}
		pg.next = string(s)
	}
	return pg, nil
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
