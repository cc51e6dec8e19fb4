package api

import (
	"encoding/json"
	"net/http"
)

// object is a JSON object of the OpenAPI document, in the order Go's
// encoder writes a map (sorted keys): the document is the same bytes
// every time.
type object = map[string]any

func ref(name string) object { return object{"$ref": "#/components/schemas/" + name} }

func jsonContent(schema object) object {
	return object{"application/json": object{"schema": schema}}
}

// errorResponses are the error statuses of a route, by code.
func errorResponses(codes ...string) object {
	out := object{}
	words := map[string]string{
		"400": "a malformed request (kind request) or a wrong statement (kind query, with position and caret)",
		"401": "no bearer token, or a wrong one (kind auth)",
		"404": "no such path (kind request)",
		"405": "a method the path does not take (kind request); Allow lists those it does",
		"413": "a body larger than the server takes (kind request)",
		"415": "a body that is not JSON (kind request)",
		"422": "the query's groups outgrew its memory limit (kind memory), or the answer the json form's bounds (kind result)",
		"500": "the store cannot be used (kind store, with a cause), the query failed as it ran (kind failed), or a bug (kind internal)",
		"503": "the request was cancelled, or the server is stopping (kind canceled)",
		"504": "the query ran past its time limit (kind timeout)",
	}
	for _, c := range codes {
		out[c] = object{"description": words[c], "content": jsonContent(ref("ErrorBody"))}
	}
	return out
}

func withErrors(ok object, codes ...string) object {
	out := errorResponses(append(codes, "401")...)
	out["200"] = ok
	return out
}

func param(name, in, doc string, schema object) object {
	return object{"name": name, "in": in, "description": doc, "schema": schema}
}

var str = object{"type": "string"}

// queryParameters are GET /v1/query's parameters.
func queryParameters() []any {
	return []any{
		object{"name": "q", "in": "query", "required": true, "description": "the statement (query is another name for it)", "schema": str},
		param("now", "query", "what relative times count from: a date, an RFC 3339 timestamp, or latest; default: the server's clock", str),
		param("timeout", "query", "the query's time limit (30s, 5m); default and maximum: the server's", str),
		param("maxMemory", "query", "the memory the query's groups may take (512MiB); default and maximum: the server's", str),
		param("listLimit", "query", "the sign-ins a list without a limit returns, with a note when more match; 0 for all", object{"type": "integer", "minimum": 0}),
		param("format", "query", "json (default), ndjson or csv; else the Accept header chooses", object{"type": "string", "enum": []string{"json", "ndjson", "csv"}}),
	}
}

// queryResponses are /v1/query's answers.
func queryResponses() object {
	streamed := func() object {
		return object{
			HeaderColumns: object{"description": "the columns, a JSON array of Column", "schema": str},
			HeaderRows:    object{"description": "what the rows are: signins (a list without stages), or groups (groups, or a stage's rows)", "schema": object{"type": "string", "enum": []string{RowsSignins, RowsGroups}}},
			"Trailer":     object{"description": "names the trailers: " + TrailerNotes + " (a JSON array of Note) and " + TrailerError + " (a JSON Error, when the answer ended early; sent to a client that says TE: trailers, any other has the connection cut instead)", "schema": str},
		}
	}
	ok := object{
		"description": "the answer: json, one document; ndjson and csv, streamed as the rows are read, with the columns in a header and the notes and a late error in trailers; explain, define and undefine answer json in every form",
		"headers":     streamed(),
		"content": object{
			"application/json":     object{"schema": ref("QueryAnswer")},
			"application/x-ndjson": object{"schema": object{"type": "string", "description": "one JSON object per row, keyed by column, as signinq query --format json writes them"}},
			"text/csv":             object{"schema": object{"type": "string", "description": "a header row, then the rows, as signinq query --format csv writes them"}},
		},
	}
	return withErrors(ok, "400", "404", "405", "413", "415", "422", "500", "503", "504")
}

// Document is the OpenAPI 3.1 document describing the API, as
// /openapi.json serves it and docs/openapi.json holds it.
func Document() []byte {
	col := object{"type": "object", "required": []string{"name", "kind"}, "properties": object{
		"name":  str,
		"kind":  object{"type": "string", "enum": []string{"string", "int", "float", "time", "bool", "list", "duration"}},
		"field": object{"type": "string", "description": "the catalog field whose values the column holds; absent for a computed one"},
		"key":   object{"type": "boolean", "description": "a group key"},
		"bin":   object{"type": "string", "description": "a bin(D) key's bucket length, as Go writes a duration (1h0m0s)"},
	}}
	timeT := object{"type": "string", "format": "date-time"}
	note := object{"type": "object", "required": []string{"kind", "text"}, "properties": object{
		"kind": object{"type": "string", "enum": []string{"nodata", "listlimit", "other"}},
		"text": str, "from": timeT, "now": timeT, "first": timeT, "last": timeT,
		"shown": object{"type": "integer"}, "total": object{"type": "integer", "description": "-1: more match, how many was not counted"},
	}}
	errSchema := object{"type": "object", "required": []string{"message", "kind"}, "properties": object{
		"message": str,
		"kind":    object{"type": "string", "enum": []string{KindQuery, KindMemory, KindResult, KindTimeout, KindCanceled, KindStore, KindFailed, KindInternal, KindRequest, KindAuth}},
		"position": object{"type": "object", "properties": object{
			"offset": object{"type": "integer"}, "line": object{"type": "integer"}, "column": object{"type": "integer"}}},
		"caret": object{"type": "string", "description": "the statement's line, and a caret under the error's column"},
		"cause": object{"type": "string", "enum": []string{CauseLocked, CauseNoStore, CauseDamaged, CauseNoSpace}},
	}}
	count := object{"type": "integer"}
	types := object{"type": "object", "additionalProperties": count, "description": "sign-ins by type"}
	doc := object{
		"openapi": "3.1.0",
		"info": object{"title": "signinq", "version": "1",
			"description": "Ask questions of Microsoft Entra ID sign-in logs held in a signinq store (docs/api.md, docs/query-language.md)."},
		"servers":  []any{object{"url": "http://127.0.0.1:8274"}},
		"security": []any{object{}, object{"bearer": []string{}}},
		"paths": object{
			"/v1/query": object{
				"get": object{"operationId": "queryGet", "summary": "Run a statement given as parameters", "parameters": queryParameters(), "responses": queryResponses()},
				"post": object{"operationId": "query", "summary": "Run a statement: a query, explain, explain analyze, define or undefine",
					"parameters":  []any{param("format", "query", "the answer's form, when the body does not say", object{"type": "string", "enum": []string{"json", "ndjson", "csv"}})},
					"requestBody": object{"required": true, "content": jsonContent(ref("QueryRequest"))},
					"responses":   queryResponses()},
			},
			"/v1/ingest": object{"post": object{"operationId": "ingest", "summary": "Store the sign-ins of a posted log, in any format signinq ingest reads (gzipped too), deduplicated",
				"parameters": []any{
					param("name", "query", "the input's name in rejects and warnings; its base name tells the type of a portal download (InteractiveSignIns_….csv)", str),
					param("format", "query", "the format to read it in (signinq ingest --format); default: told by content", str),
					param("type", "query", "the sign-in type of a portal CSV download of user sign-ins (signinq ingest --type)", str),
					param("progress", "query", "true: answer an NDJSON stream of IngestEvent as the ingest goes (progress, each reject and warning, then the answer or the error), the body still coming in", object{"type": "boolean"}),
				},
				"requestBody": object{"required": true, "description": "the log; sent chunked with the trailer " + TrailerInterrupt + ": stop, it stops the ingest where it ends (what was read is committed, the answer says interrupted)",
					"content": object{"application/octet-stream": object{"schema": object{"type": "string", "format": "binary"}}}},
				"responses": withErrors(object{"description": "what the ingest read and stored", "content": object{
					"application/json":     object{"schema": ref("IngestAnswer")},
					"application/x-ndjson": object{"schema": object{"type": "string", "description": "with progress=true: one IngestEvent a line, the answer or the error last"}},
				}}, "400", "415", "500", "503")}},
			"/v1/stats": object{"get": object{"operationId": "stats", "summary": "Describe the store: sign-ins by type and by day, sizes on disk",
				"responses": withErrors(object{"description": "the store's statistics", "content": jsonContent(ref("Stats"))}, "500")}},
			"/v1/span": object{"get": object{"operationId": "span", "summary": "How many sign-ins the store holds, and the times of the first and last",
				"responses": withErrors(object{"description": "the store's extent, from one snapshot", "content": jsonContent(ref("Span"))}, "400", "500")}},
			"/v1/lists": object{"get": object{"operationId": "lists", "summary": "The named lists queries test membership of (ip in @vps): built in and the store's",
				"parameters": []any{param("name", "query", "one list's name (with or without its @): that list alone", str)},
				"responses":  withErrors(object{"description": "the lists, by name", "content": jsonContent(object{"type": "array", "items": ref("List")})}, "400", "404", "500")}},
			"/v1/saved": object{"get": object{"operationId": "saved", "summary": "The saved queries (define NAME = QUERY)",
				"responses": withErrors(object{"description": "the saved queries, by name, then those that cannot be read, with why", "content": jsonContent(object{"type": "array", "items": ref("SavedQuery")})}, "400", "500")}},
			"/v1/values": object{"get": object{"operationId": "values", "summary": "A field's distinct values in the whole store, from its dictionaries (what a shell completes)",
				"parameters": []any{
					object{"name": "field", "in": "query", "required": true, "description": "the field", "schema": str},
					param("counts", "query", "true: with the sign-ins having each value", object{"type": "boolean"}),
					param("prefix", "query", "only the values beginning with this", str),
					param("limit", "query", "at most this many values; 0 for all", object{"type": "integer", "minimum": 0}),
				},
				"responses": withErrors(object{"description": "the values in the store's order (text bytewise, numbers ascending, false before true), as results print them; none for a field stored without a dictionary (times, measures, identifiers)",
					"content": jsonContent(object{"type": "array", "items": ref("FieldValue")})}, "400", "500")}},
			"/v1/fields": object{"get": object{"operationId": "fields", "summary": "The field catalog (docs/fields.md)",
				"responses": withErrors(object{"description": "every field", "content": jsonContent(object{"type": "array", "items": ref("Field")})})}},
			"/v1/plugins": object{"get": object{"operationId": "plugins", "summary": "The aggregates, stages, functions, writers and readers",
				"responses": withErrors(object{"description": "every plugin, by kind then name", "content": jsonContent(object{"type": "array", "items": ref("Plugin")})})}},
			"/v1/health": object{"get": object{"operationId": "health", "summary": "Whether the server answers; needs no token", "security": []any{},
				"responses": object{"200": object{"description": "it does", "content": jsonContent(object{"type": "object", "properties": object{"status": object{"const": "ok"}}})}}}},
			"/openapi.json": object{"get": object{"operationId": "openapi", "summary": "This document",
				"responses": withErrors(object{"description": "the OpenAPI 3.1 document", "content": jsonContent(object{"type": "object"})})}},
		},
		"components": object{
			"securitySchemes": object{"bearer": object{"type": "http", "scheme": "bearer",
				"description": "needed off loopback: the token signinq serve generated into the store's serve.token, or the one it was given"}},
			"schemas": object{
				"QueryRequest": object{"type": "object", "required": []string{"query"}, "additionalProperties": false, "properties": object{
					"query":     object{"type": "string", "description": "the statement"},
					"now":       object{"type": "string", "description": "a date, an RFC 3339 timestamp, or latest"},
					"timeout":   object{"type": "string", "description": "30s, 5m; held to the server's maximum"},
					"maxMemory": object{"type": "string", "description": "512MiB; held to the server's maximum"},
					"listLimit": object{"type": "integer", "minimum": 0},
					"format":    object{"type": "string", "enum": []string{"json", "ndjson", "csv"}},
				}},
				"QueryAnswer": object{"type": "object", "properties": object{
					"columns": object{"type": "array", "items": ref("Column")},
					"rows":    object{"type": "array", "items": object{"type": "object"}, "description": "one object per row, keyed by column, as signinq query --format json writes them"},
					"notes":   object{"type": "array", "items": ref("Note")},
					"plan":    object{"type": "string", "description": "explain's plan; explain analyze's, with what each step read"},
					"saved": object{"type": "object", "properties": object{"macro": str, "removed": object{"type": "boolean"}},
						"description": "what define or undefine did"},
				}},
				"IngestAnswer": object{"type": "object", "properties": object{
					"inputs": count, "refused": count, "truncated": count, "bytes": count, "read": count, "accepted": count,
					"rejected": count, "warnings": count, "stored": object{"type": "integer", "description": "new sign-ins stored"},
					"duplicates":   object{"type": "integer", "description": "sign-ins skipped as stored already"},
					"rejectTexts":  object{"type": "array", "items": str, "description": "the first 1,000 rejects, as signinq ingest prints them"},
					"warningTexts": object{"type": "array", "items": str, "description": "the first 1,000 warnings"},
					"rows":         object{"type": "integer", "description": "the sign-ins the store holds after the ingest"},
					"interrupted":  object{"type": "boolean", "description": "the body's " + TrailerInterrupt + " trailer stopped the ingest: what it read is committed, and counted here"},
				}},
				"IngestEvent": object{"type": "object", "description": "one line of an ingest's progress stream: one member set", "properties": object{
					"progress": object{"type": "object", "properties": object{"bytes": count, "read": count, "stored": count, "duplicates": count}},
					"reject":   ref("Reject"),
					"warning":  str,
					"answer":   ref("IngestAnswer"),
					"error":    ref("Error"),
				}},
				"Reject": object{"type": "object", "required": []string{"input", "reason", "text"}, "description": "a rejected record, or a refused or truncated input, as signinq ingest --rejects writes it", "properties": object{
					"input": str, "line": count, "col": count, "reason": str,
					"truncated": object{"type": "boolean"}, "refused": object{"type": "boolean"},
					"raw":  object{"type": "string", "description": "the record as read (cut at 64 KiB)"},
					"text": object{"type": "string", "description": "input:line:col: reason, as signinq ingest prints it"},
				}},
				"Column":    col,
				"Note":      note,
				"Error":     errSchema,
				"ErrorBody": object{"type": "object", "required": []string{"error"}, "properties": object{"error": ref("Error")}},
				"Stats": object{"type": "object", "properties": object{
					"rows": count, "parts": count, "types": types, "rawSize": count,
					"days": object{"type": "array", "items": object{"type": "object", "properties": object{
						"day": object{"type": "string", "format": "date"}, "rows": count, "parts": count, "types": types, "first": timeT, "last": timeT}}},
					"bytes": object{"type": "object", "properties": object{"columns": count, "dictionaries": count, "bitmaps": count,
						"idIndex": count, "raw": count, "parts": count, "directory": count}},
					"pulls": object{"type": "array", "items": ref("PullStatus"),
						"description": "the sources the store is pulled from (signinq pull, serve --pull): each one's last pull, its lag and its errors"},
				}},
				"PullStatus": object{"type": "object", "properties": object{
					"source":      object{"type": "string", "enum": []string{"graph", "storage"}},
					"started":     object{"type": "string", "format": "date-time", "description": "the last pull's start"},
					"ended":       object{"type": "string", "format": "date-time", "description": "its end; absent while it runs"},
					"running":     object{"type": "boolean", "description": "a pull is under way (a scheduled serve only)"},
					"next":        object{"type": "string", "format": "date-time", "description": "when the next pull is due (a scheduled serve only)"},
					"error":       object{"type": "string", "description": "the last pull's error; absent when it went well"},
					"read":        object{"type": "integer", "description": "sign-ins the last pull read"},
					"stored":      object{"type": "integer", "description": "new sign-ins it stored"},
					"duplicates":  object{"type": "integer", "description": "sign-ins it skipped as stored already"},
					"rejected":    object{"type": "integer", "description": "records it rejected"},
					"newest":      object{"type": "string", "format": "date-time", "description": "the newest sign-in any pull of the source read"},
					"lagSeconds":  object{"type": "number", "description": "how old the newest sign-in pulled is, in seconds, at the answer's time (0 when none was)"},
					"lastSuccess": object{"type": "string", "format": "date-time", "description": "when the last pull without an error ended"},
					"pulls":       object{"type": "integer", "description": "pulls ended"},
					"failures":    object{"type": "integer", "description": "pulls ended in an error"},
					"failing":     object{"type": "integer", "description": "pulls in a row, up to the last, ended in an error"},
					"totalStored": object{"type": "integer", "description": "sign-ins stored by every pull"},
				}},
				"Span": object{"type": "object", "required": []string{"rows"}, "properties": object{"rows": count,
					"first": timeT, "last": timeT}, "description": "first and last are absent when the store is empty"},
				"List": object{"type": "object", "required": []string{"name", "kind", "values"}, "properties": object{"name": str,
					"kind": object{"type": "string", "enum": []string{"text", "numbers", "addresses"}}, "values": object{"type": "array", "items": str},
					"builtin": object{"type": "boolean"}, "doc": str, "sources": object{"type": "array", "items": str}}},
				"SavedQuery": object{"type": "object", "required": []string{"name", "text"}, "properties": object{"name": str,
					"text":   object{"type": "string", "description": "the definition, as define wrote it"},
					"stages": object{"type": "boolean", "description": "it stands for stages, not a query's head"},
					"error":  object{"type": "string", "description": "why it cannot be read"}}},
				"FieldValue": object{"type": "object", "required": []string{"value"}, "properties": object{"value": str,
					"signins": object{"type": "integer", "description": "the sign-ins having it, with counts=true"}}},
				"Field": object{"type": "object", "properties": object{"name": str, "kind": str, "doc": str,
					"values": object{"type": "array", "items": str}, "aliases": object{"type": "array", "items": str}}},
				"Plugin": object{"type": "object", "properties": object{"name": str,
					"kind":  object{"type": "string", "enum": []string{"aggregate", "stage", "function", "writer", "reader"}},
					"usage": str, "help": str, "example": str, "manual": str, "streams": object{"type": "boolean"},
					"output": object{"type": "array", "items": str},
					"args": object{"type": "array", "items": object{"type": "object", "properties": object{
						"name": str, "type": str, "default": str, "min": str, "max": str, "help": str, "words": object{"type": "array", "items": str}}}}}},
			},
		},
	}
	b, _ := json.MarshalIndent(doc, "", "  ") // maps, slices and strings: no error
	return append(b, '\n')
}

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(Document())
}
