package repl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signinq/signinq/engine/signin"
	"github.com/signinq/signinq/result"
)

func TestWriteChartImage(t *testing.T) {
	gaps := wave(100)
	for i := 30; i < 40; i++ {
		gaps[i] = -1
	}
	top := bars("app", "Microsoft Teams", 98921, "", 60129, "Microsoft Office", 53952, "Azure Portal", 12345)
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		res    *result.Result
		w, h   int      // a PNG's size
		labels []string // texts an SVG holds
	}{
		{"timeline.png", timeline(time.Hour, wave(168)...), 960, 400, nil},
		{"gaps.PNG", timeline(time.Hour, gaps...), 960, 400, nil},
		{"timeline.svg", timeline(time.Hour, wave(24)...), 0, 0, []string{"count per 1h (UTC)", "Nov 25 06:00"}},
		{"one-bucket.svg", timeline(24*time.Hour, 5), 0, 0, []string{"count (UTC)", "Nov 25 00:00"}},
		{"top.png", top, 960, 288, nil},
		{"top.svg", top, 0, 0, []string{"count by app", "Microsoft Teams", "98,921", "(empty)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := writeChartImage(path, tc.res); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.w > 0 {
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
					t.Errorf("PNG of %dx%d, want %dx%d", b.Dx(), b.Dy(), tc.w, tc.h)
				}
				return
			}
			texts := svgTexts(t, data)
			for _, l := range tc.labels {
				if !strings.Contains(texts, l) {
					t.Errorf("no text %q in the SVG's %q", l, texts)
				}
			}
		})
	}
}

// svgTexts parses an SVG document and returns its text elements' text.
func svgTexts(t *testing.T, data []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var texts []string
	inText, root := false, ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
	if root != "svg" {
		t.Fatalf("SVG's root is %q", root)
	}
	return strings.Join(texts, "|")
}

func TestWriteChartImageErrors(t *testing.T) {
	dir := t.TempDir()
	list := &result.Result{
		Columns: []result.Column{{Name: "user", Kind: signin.KindString, Field: "user"}},
		Rows:    [][]result.Value{{result.StringValue("alice")}}}
	for _, tc := range []struct {
		name, file string
		res        *result.Result
		want       string
	}{
		{"extension", "chart.jpg", timeline(time.Hour, 1, 2), `the file's extension picks the format, one of .png, .svg`},
		{"no extension", "chart", timeline(time.Hour, 1, 2), `one of .png, .svg`},
		{"not chartable", "chart.svg", list, errNotChartable.Error()},
		{"no result", "chart.png", nil, errNotChartable.Error()},
		{"no directory", "missing/chart.png", timeline(time.Hour, 1, 2), "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := writeChartImage(filepath.Join(dir, tc.file), tc.res)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if tc.want == errNotChartable.Error() && !errors.Is(err, errNotChartable) {
				t.Errorf("error %v is not errNotChartable", err)
			}
			if _, err := os.Stat(filepath.Join(dir, tc.file)); err == nil {
				t.Errorf("%s written", tc.file)
			}
		})
	}
}
