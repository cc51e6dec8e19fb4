// Package docs holds signinq's documentation as the files in this
// directory, embedded, so that the REPL's \help shows the same text as
// the files: one source for both.
package docs

import _ "embed" // the files below

// QueryLanguage is query-language.md: the language, with examples.
//
//go:embed query-language.md
var QueryLanguage string

// Plugins is plugins.md: the plugin model and every shipped plugin.
//
//go:embed plugins.md
var Plugins string

// Fields is fields.md: the field catalog.
//
//go:embed fields.md
var Fields string
