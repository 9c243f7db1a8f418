// Package forms holds the form catalogue: each supervision form is a
// definition file (YAML), not Go code. From a definition the service builds
// the page, the JSON Schema served to API clients, validation with plain
// GOV.UK-style messages, and the answers formatted for the signed PDF and
// DOCX.
//
// The built-in definitions live in catalogue/*.yaml and are embedded; a
// council may replace or add definitions from a folder read at start (see
// Load). Every version of every definition stays loaded, because a record
// keeps the form version it was made with.
//
// Answers are a JSON object keyed by field id. Validation runs in three
// steps: the definition's JSON Schema (types, formats, lengths, ranges,
// options), then the checks that depend on the mode (required answers in
// Final mode only) and on the context (characters the documents can print),
// then the cross-field rules, which are data in the definition too. The
// schema step first asks a hand-written check of the same schema
// (schemaAccepts, accepts.go), which is several times cheaper; only answers
// it refuses go through the schema validator, whose errors make the
// messages. A test holds the two to the same verdict over the catalogue and
// fuzzed answers.
package forms
