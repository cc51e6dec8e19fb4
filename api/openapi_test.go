package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/signinq/signinq/api"
)

var update = flag.Bool("update", false, "rewrite docs/openapi.json from the served document")

// TestOpenAPIRoutes checks that the OpenAPI document describes every
// route the handler serves, with its methods, and no other; that every
// reference in it resolves; and that the served document is Document.
func TestOpenAPIRoutes(t *testing.T) {
	s := newServer(t, api.Options{})
	resp, body := s.do("GET", "/openapi.json", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, api.Document()) {
		t.Fatalf("GET /openapi.json: %d, not Document()", resp.StatusCode)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	documented := map[string][]string{}
	for path, ops := range doc.Paths {
		for m, op := range ops {
			documented[path] = append(documented[path], strings.ToUpper(m))
			if op["responses"] == nil || op["operationId"] == nil {
				t.Errorf("%s %s: no responses or operationId", m, path)
			}
		}
		slices.Sort(documented[path])
	}
	served := api.New(testStore(t), s.reg, api.Options{}).Routes()
	for path, methods := range served {
		if !slices.Equal(documented[path], methods) {
			t.Errorf("%s: served %v, documented %v", path, methods, documented[path])
		}
	}
	for path, methods := range documented {
		if _, ok := served[path]; !ok {
			t.Errorf("%s %v: documented, not served", path, methods)
		}
	}
	for _, m := range refs.FindAllSubmatch(body, -1) {
		if _, ok := doc.Components.Schemas[string(m[1])]; !ok {
			t.Errorf("reference to an undefined schema %s", m[1])
		}
	}
}

// TestOpenAPIFile checks that docs/openapi.json is the served document
// (go test ./api -run OpenAPIFile -update rewrites it).
func TestOpenAPIFile(t *testing.T) {
	path := filepath.Join("..", "docs", "openapi.json")
	if *update {
		if err := os.WriteFile(path, api.Document(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, api.Document()) {
		t.Errorf("%s is not the served document: go test ./api -run OpenAPIFile -update", path)
	}
}

var refs = regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`)
