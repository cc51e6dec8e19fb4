package logfile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/signinq/signinq/engine/signin"
	"golang.org/x/text/encoding/unicode"
)

// utf16Text encodes UTF-8 text as UTF-16 in a byte order, with the
// byte-order mark Windows PowerShell's Out-File and > write first.
func utf16Text(t testing.TB, text []byte, order unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes(text)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTextEncodings reads samples of every format written as UTF-16 (both
// byte orders, with a byte-order mark, with Windows line endings as
// PowerShell writes them) and as UTF-8 with a mark, from files, gzipped
// files and standard input: each must give the records UTF-8 gives.
func TestTextEncodings(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		sample("elastic/test-non-interactive-user-sample.log"),        // JSON lines
		sample("graph/graph-beta-signins-list-example1.json"),         // a pretty-printed Graph page
		sample("msdocs/azure-monitor-signin-log-schema-example.json"), // one pretty-printed record
		sample("log-analytics-csv/signinlogs-la-export-2rows.csv"),
		portal("InteractiveSignIns_2025-12-04_2025-12-05.csv"), // starts with a UTF-8 mark
	}
	for _, file := range files {
		text := bytes.TrimPrefix(read(t, file), []byte("\xef\xbb\xbf"))
		want, wantRejects, _ := scan(t, Options{}, file)
		if len(want) == 0 || len(wantRejects) != 0 {
			t.Fatalf("%s: %d records, rejects %v", file, len(want), wantRejects)
		}
		crlf := bytes.ReplaceAll(bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		base := file[strings.LastIndexByte(file, '/')+1:]
		shapes := map[string][]byte{
			"utf16le":    utf16Text(t, crlf, unicode.LittleEndian),
			"utf16be":    utf16Text(t, crlf, unicode.BigEndian),
			"utf8bom":    append([]byte("\xef\xbb\xbf"), text...),
			"utf16le.gz": gz(t, utf16Text(t, text, unicode.LittleEndian)),
			"utf16be.gz": gz(t, utf16Text(t, text, unicode.BigEndian)),
			"utf8bom.gz": gz(t, append([]byte("\xef\xbb\xbf"), text...)),
		}
		for shape, data := range shapes {
			name := base + "." + shape
			check := func(how string, got []signin.Record, rejects []*Reject, sum Summary) {
				t.Helper()
				if len(rejects) != 0 {
					t.Errorf("%s (%s): rejects %v", name, how, rejects)
				}
				if len(got) != len(want) {
					t.Errorf("%s (%s): %d records, want %d", name, how, len(got), len(want))
					return
				}
				for i := range got {
					if g, w := signin.AppendJSON(nil, &got[i]), signin.AppendJSON(nil, &want[i]); !bytes.Equal(g, w) {
						t.Errorf("%s (%s): record %d\n got %s\nwant %s", name, how, i, g, w)
					}
				}
				if !strings.HasSuffix(shape, ".gz") && sum.Bytes != int64(len(data)) {
					t.Errorf("%s (%s): summary counts %d bytes, the input has %d", name, how, sum.Bytes, len(data))
				}
			}
			// The portal file keeps its name, which tells its type.
			path := write(t, dir, strings.Replace(base, ".csv", "", 1)+"_"+strings.ReplaceAll(shape, ".", "-")+".csv", data)
			got, rejects, sum := scan(t, Options{}, path)
			check("file", got, rejects, sum)
			typ := signin.TypeInteractive
			got, rejects, sum = scan(t, Options{Stdin: bytes.NewReader(data), Type: &typ}, "-")
			check("stdin", got, rejects, sum)
		}
	}
}

// TestUTF16Rejects checks that a malformed record in UTF-16 text is
// rejected at its line and column, counted in characters of the text as
// UTF-8 has them, and that the records around it come through.
func TestUTF16Rejects(t *testing.T) {
	ls := lines(t, "elastic/test-signinlogs-sample.log")
	g := string(ls[0])
	text := g + "\r\n" + `{"time": "2025-01-01T00:00:00Z", "category": SignInLogs}` + "\r\n" + g + "\r\n"
	dir := t.TempDir()
	recs, rejects, _ := scan(t, Options{}, write(t, dir, "out.json", utf16Text(t, []byte(text), unicode.LittleEndian)))
	if len(recs) != 2 || len(rejects) != 1 || rejects[0].Line != 2 || rejects[0].Col != 46 ||
		!strings.Contains(rejects[0].Reason, "invalid character 'S'") || !bytes.HasPrefix(rejects[0].Raw, []byte(`{"time"`)) {
		t.Errorf("%d records, rejects %v", len(recs), rejects)
	}
	// An unpaired surrogate is a replacement character, not a stop.
	bad := utf16Text(t, []byte(g+"\n"), unicode.LittleEndian)
	bad = append(bad, 0x00, 0xd8, '\n', 0) // U+D800 alone, then a newline
	bad = append(bad, utf16Text(t, []byte(g+"\n"), unicode.LittleEndian)[2:]...)
	recs, rejects, _ = scan(t, Options{}, write(t, dir, "surrogate.json", bad))
	if len(recs) != 2 || len(rejects) != 1 || !strings.Contains(rejects[0].Reason, "invalid JSON") {
		t.Errorf("unpaired surrogate: %d records, rejects %v", len(recs), rejects)
	}
}

// TestUTF16Streams reads a UTF-16 input of many megabytes from a stream
// that is never whole in memory: decoding must stream with reading, and
// split into jobs as UTF-8 input does.
func TestUTF16Streams(t *testing.T) {
	const n = 20000
	line := lines(t, "elastic/test-signinlogs-sample.log")[0]
	records := func(w io.Writer) {
		for i := range n {
			l := bytes.Replace(line, []byte("933f20c0-efdf-477f-9586-e5cc566d2e00"), fmt.Appendf(nil, "933f20c0-efdf-477f-9586-%012d", i), 1)
			w.Write(utf16Text(t, append(l, "\r\n"...), unicode.LittleEndian)[2:]) // without a mark
		}
	}
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte{0xff, 0xfe})
		records(pw)
		pw.Close()
	}()
	var got int
	seen := map[string]bool{}
	sum, err := ScanInputs(context.Background(), []Input{ReaderInput("big.json", pr)}, Options{Workers: 2}, func(b *Batch) error {
		if len(b.Rejects) != 0 {
			return fmt.Errorf("rejects %v", b.Rejects[0])
		}
		for i := range b.Records {
			seen[b.Records[i].ID] = true
		}
		got += len(b.Records)
		return nil
	})
	if err != nil || got != n || len(seen) != n {
		t.Fatalf("%d records (%d distinct), want %d: %v", got, len(seen), n, err)
	}
	if want := int64(n)*int64(2*(len(line)+2)) + 2; sum.Bytes != want {
		t.Errorf("summary counts %d bytes, want %d", sum.Bytes, want)
	}
}
