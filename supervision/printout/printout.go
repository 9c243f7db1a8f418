// Package printout is the document model of Supervision File: what a signed
// record (or a file's front page) prints, independent of any format. The
// supervision package builds a Document from a form definition, its answers,
// signatures and audit trail; a renderer (package render, behind
// supervision.Renderer) turns it into PDF and DOCX. It belongs to the domain:
// it imports nothing of the project, and the adapters import it.
package printout

import "time"

// Document is everything a signed record prints.
type Document struct {
	OrgName      string // council name, printed in every page header
	Title        string // form title, e.g. "Supervision agreement"
	Subtitle     string // e.g. "Jane Smith (Social Worker) — supervised by Ahmed Khan"
	Reference    string // record id and version, e.g. "Record 3f2a… version 1"
	Confidential bool   // prints "Confidential" in the header of every page
	Declaration  string // text the signers signed under (may be empty)
	Sections     []Section
	Signatures   []Signature
	Audit        []Event
	DataSHA256   string // hex SHA-256 of the canonical signed data
	// Listing marks a generated document that nobody signs, such as a
	// file's front page: it has no signatures or audit pages.
	Listing bool
}

// Section is a titled group of answers.
type Section struct {
	Title  string
	Intro  string // optional guidance printed under the title
	Fields []Field
}

// Field is one question and its answer, already formatted for print.
// Long answers keep their line breaks; blank lines separate paragraphs.
// A table answer has Table set and Value empty.
type Field struct {
	Label string
	Value string
	Table *Table
}

// Table is a repeating answer (action plans, planner dates...).
type Table struct {
	Columns []string
	Rows    [][]string
}

// Signature is one party's signature on the record.
type Signature struct {
	Role         string // "Supervisee", "Supervisor"
	Name         string // typed full name
	JobTitle     string
	SignedAt     time.Time
	Comment      string
	Disagreement string
	DrawingPNG   []byte // optional drawn signature
}

// Event is one line of the audit trail.
type Event struct {
	At     time.Time
	Actor  string
	Action string // "created", "saved draft", "submitted for signatures", "signed"...
	Detail string
}
