package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
	"github.com/signinq/signinq/query"
)

// listsCmd is signinq lists: the named lists (@name) a store's queries
// may use, built in and the store's own (query.SetList).
type listsCmd struct {
	Ls     listsLsCmd     `cmd:"" default:"withargs" name:"ls" help:"Show the lists: name, kind, number of values, built in or the store's (what signinq lists alone does)."`
	Import listsImportCmd `cmd:"" help:"Set a list from a file: a value or network (CIDR) a line (# begins a comment line), a CSV column (--csv --column), or a tag of Microsoft's Azure IP Ranges and Service Tags JSON (--tag AzureCloud); replaces a list of that name."`
	Show   listsShowCmd   `cmd:"" help:"Print a list's values, one a line."`
	Remove listsRemoveCmd `cmd:"" help:"Remove a store's list."`
}

type listsLsCmd struct{ dbFlag }

func (c *listsLsCmd) Run(e *env) error {
	db, err := c.openExisting(e)
	if err != nil {
		return err
	}
	defer db.Close()
	lists, err := query.ListsOf(db)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tKIND\tVALUES\tFROM")
	for _, l := range lists {
		from := "store"
		if l.Builtin {
			from = "built in"
		}
		fmt.Fprintf(w, "@%s\t%s\t%s\t%s\n", l.Name, l.Kind(), humanize.Comma(int64(len(l.Values))), from)
	}
	return w.Flush()
}

type listsImportCmd struct {
	dbFlag
	Name   string `arg:"" help:"The list's name: letters, digits and _ (a query writes @NAME)."`
	File   string `arg:"" help:"The file, or - for standard input."`
	CSV    bool   `name:"csv" help:"Read FILE as CSV with a header row, taking the values of --column."`
	Column string `placeholder:"NAME" help:"The CSV column holding the values (with --csv)."`
	Tag    string `placeholder:"TAG" help:"Read FILE as Microsoft's Azure IP Ranges and Service Tags JSON, taking the networks of the service tag TAG (its name or id: AzureCloud, AzureCloud.westeurope, …)."`
}

func (c *listsImportCmd) Run(e *env) error {
	if c.CSV != (c.Column != "") {
		return errors.New("--csv and --column go together: --csv --column NAME reads the values of a CSV column")
	}
	if c.CSV && c.Tag != "" {
		return errors.New("--csv and --tag read different files: give one")
	}
	var r io.Reader = e.stdin
	name := "standard input"
	if c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return err
		}
		defer f.Close()
		r, name = f, c.File
	}
	var values []string
	var err error
	switch {
	case c.CSV:
		values, err = readCSVList(r, name, c.Column)
	case c.Tag != "":
		values, err = readServiceTag(r, name, c.Tag)
	default:
		values, err = readTextList(r, name)
	}
	if err != nil {
		return err
	}
	if len(values) == 0 {
		return fmt.Errorf("%s holds no values: nothing was stored", name)
	}
	db, err := c.openExisting(e)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := query.SetList(db, c.Name, values); err != nil {
		return err
	}
	l := &query.List{Name: c.Name, Values: values}
	fmt.Fprintf(e.stderr, "signinq: list @%s: %s %s (%s)\n", c.Name, humanize.Comma(int64(len(values))), plural(len(values), "value"), l.Kind())
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// lineError is a bad line of a list's file: nothing is stored.
func lineError(file string, line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s: nothing was stored", file, line, fmt.Sprintf(format, args...))
}

// readTextList reads a list a value a line: each trimmed, blank lines
// and lines beginning with # skipped. A line that is meant as an address
// or network (it has a / or reads as four numbers with dots) but is not
// one is an error, as is a line that is not UTF-8.
func readTextList(r io.Reader, file string) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var values []string
	for n := 1; sc.Scan(); n++ {
		v := strings.TrimSpace(sc.Text())
		if v == "" || strings.HasPrefix(v, "#") {
			continue
		}
		if err := checkListValue(v); err != nil {
			return nil, lineError(file, n, "%q %v", v, err)
		}
		values = append(values, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return values, nil
}

// checkListValue refuses a value that is not UTF-8, or meant as an
// address or network and not one: digits and dots or hexadecimal digits
// and colons, and for a network a / and a number (contoso/alice is text).
func checkListValue(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("is not UTF-8 text")
	}
	if strings.ContainsRune(v, 0) {
		return errors.New("holds a NUL byte")
	}
	if addr, bits, ok := strings.Cut(v, "/"); ok {
		meant := addr != "" && strings.Trim(addr, "0123456789abcdefABCDEF:.") == "" && strings.Trim(bits, "0123456789") == ""
		if _, err := netip.ParsePrefix(v); err != nil && meant {
			return fmt.Errorf("is not a network: %v", addrReason(err))
		}
		return nil
	}
	if looksLikeAddress(v) {
		if _, err := netip.ParseAddr(v); err != nil {
			return fmt.Errorf("is not an IP address: %v", addrReason(err))
		}
	}
	return nil
}

// looksLikeAddress reports whether s is written as an address: four
// numbers with dots, or hexadecimal digits with two colons or more.
func looksLikeAddress(s string) bool {
	if strings.Count(s, ".") == 3 && strings.Trim(s, "0123456789.") == "" {
		return true
	}
	return strings.Count(s, ":") >= 2 && strings.Trim(s, "0123456789abcdefABCDEF:.") == ""
}

func addrReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

// readCSVList reads the values of a CSV column, named in the header row
// (in any case); empty cells are skipped.
func readCSVList(r io.Reader, file, column string) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s is empty: it has no header row", file)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	col := -1
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), column) {
			col = i
			break
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("%s has no column %q%s (its columns: %s)", file, column, didYouMean(column, header), strings.Join(header, ", "))
	}
	var values []string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return values, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w: nothing was stored", file, err)
		}
		line, _ := cr.FieldPos(0)
		if col >= len(rec) {
			return nil, lineError(file, line, "the row has %d %s, no %s", len(rec), plural(len(rec), "column"), column)
		}
		v := strings.TrimSpace(rec[col])
		if v == "" {
			continue
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, lineError(file, line, "%q holds a line break", v)
		}
		if err := checkListValue(v); err != nil {
			return nil, lineError(file, line, "%q %v", v, err)
		}
		values = append(values, v)
	}
}

func didYouMean(word string, candidates []string) string {
	if s := query.Suggest(word, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// serviceTags is the shape of Microsoft's Azure IP Ranges and Service
// Tags JSON (ServiceTags_Public_YYYYMMDD.json): the parts read.
type serviceTags struct {
	Values []struct {
		Name       string `json:"name"`
		ID         string `json:"id"`
		Properties struct {
			AddressPrefixes []string `json:"addressPrefixes"`
		} `json:"properties"`
	} `json:"values"`
}

// readServiceTag reads the networks of one service tag (by name or id,
// in any case) of a service tags JSON file.
func readServiceTag(r io.Reader, file, tag string) ([]string, error) {
	var st serviceTags
	dec := json.NewDecoder(r)
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("%s is not Azure IP Ranges and Service Tags JSON: %v", file, err)
	}
	var names []string
	for _, v := range st.Values {
		if !strings.EqualFold(v.Name, tag) && !strings.EqualFold(v.ID, tag) {
			names = append(names, v.Name)
			continue
		}
		var out []string
		for i, p := range v.Properties.AddressPrefixes {
			p = strings.TrimSpace(p)
			if _, err := netip.ParsePrefix(p); err != nil {
				return nil, fmt.Errorf("%s: service tag %s: network %d (%q) is not a network: %v: nothing was stored", file, v.Name, i+1, p, addrReason(err))
			}
			out = append(out, p)
		}
		return out, nil
	}
	if len(st.Values) == 0 {
		return nil, fmt.Errorf("%s has no service tags (no \"values\"): is it Azure IP Ranges and Service Tags JSON?", file)
	}
	return nil, fmt.Errorf("%s has no service tag %q%s", file, tag, didYouMean(tag, names))
}

type listsShowCmd struct {
	dbFlag
	Name  string `arg:"" help:"The list's name (with or without its @)."`
	Limit int    `default:"50" help:"Print at most this many values (0: all)."`
}

func (c *listsShowCmd) Run(e *env) error {
	db, err := c.openExisting(e)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := query.ListOf(db, c.Name)
	if err != nil {
		return err
	}
	n := len(l.Values)
	if c.Limit > 0 {
		n = min(n, c.Limit)
	}
	w := bufio.NewWriter(e.stdout)
	for _, v := range l.Values[:n] {
		fmt.Fprintln(w, v)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if n < len(l.Values) {
		fmt.Fprintf(e.stderr, "signinq: … and %s more (--limit 0 prints all %s)\n", humanize.Comma(int64(len(l.Values)-n)), humanize.Comma(int64(len(l.Values))))
	}
	return nil
}

type listsRemoveCmd struct {
	dbFlag
	Name string `arg:"" help:"The list's name (with or without its @)."`
}

func (c *listsRemoveCmd) Run(e *env) error {
	db, err := c.openExisting(e)
	if err != nil {
		return err
	}
	defer db.Close()
	return query.RemoveList(db, strings.TrimPrefix(c.Name, "@"))
}
