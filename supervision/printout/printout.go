// Package printout is the document model of Supervision File: what a signed
// record (or a file's front page) prints, independent of any format. The
// supervision package builds a Document from a form definition, its answers,
// signatures and audit trail; a renderer (package render, behind
// supervision.Renderer) turns it into PDF and DOCX. It belongs to the domain:
// it imports nothing of the project, and the adapters import it.
package printout

import (
	"strconv"
	"time"
)

// Document is everything a signed record prints.
type Document struct {
	OrgName      string // council name, printed in every page header
	Title        string // form title, e.g. "Supervision agreement"
	Subtitle     string // e.g. "Jane Smith (Social Worker) — supervised by Ahmed Khan"
	Reference    string // record id and version, e.g. "Record 3f2a… version 1"
	Confidential bool   // prints "Confidential" in the header of every page
	Declaration  string // text the signers signed under (may be empty), printed just above the signatures
	Sections     []Section
	Signatures   []Signature
	Audit        []Event
	DataSHA256   string // hex SHA-256 of the canonical signed data
	// Attachments are the files kept with the record; they are also
	// printed as the last of Sections (AttachmentsSection).
	Attachments []Attachment
	// Listing marks a generated document that nobody signs, such as a
	// file's front page: it has no signatures or audit pages.
	Listing bool
}

// Attachment is a file kept with the record, named in its documents so
// that the seal covers it: the file itself is beside them in the file.
type Attachment struct {
	Name        string
	Description string
	FileName    string
	Type        string // "PDF", "Word document (DOCX)", …
	Size        int64  // bytes
	SizeText    string // "312 KB"
	SHA256      string // hex
}

// AttachmentsSection prints the attachments as a section of their own, so
// that a renderer needs nothing new to show them.
func AttachmentsSection(list []Attachment) Section {
	sec := Section{Title: "Attachments",
		Intro: "Files kept with this record in the supervision file. Each is identified by its SHA-256 hash: a copy whose hash differs is not the file that was signed."}
	for i, a := range list {
		v := a.Type + ", " + a.SizeText + " (" + itoa(a.Size) + " bytes), file " + a.FileName
		if a.Description != "" {
			v = a.Description + "\n" + v
		}
		v += "\nSHA-256 " + a.SHA256
		sec.Fields = append(sec.Fields, Field{Label: itoa(int64(i+1)) + ". " + a.Name, Value: v})
	}
	return sec
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Section is a titled group of answers. Only answered questions are in
// it; a section with no Fields and no Grid prints its title, its statement
// and "Nothing recorded".
type Section struct {
	Title     string
	Intro     string // optional guidance printed under the title
	Statement string // fixed policy text of the form, printed in full
	Fields    []Field
	Pairs     bool  // print short answers with the label beside them
	Grid      *Grid // printed before Fields[GridAt:]
	GridAt    int
}

// Grid is a table of answers: questions as rows, answers as columns, with
// a header row that repeats on every page the grid runs onto.
type Grid struct {
	Columns   []string
	RowLabels bool // the first column holds each row's label
	Rows      []GridRow
}

// GridRow is one row of a grid: its label (when RowLabels) and one cell
// for each other column.
type GridRow struct {
	Label string
	Cells []Cell
}

// Cell is one answer in a grid. RAG ("red", "amber", "green") colours the
// cell; the word is in Text too, so the colour is never the only sign.
type Cell struct {
	Text string
	RAG  string
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
	Name         string // the signer's name from their staff record
	TypedName    string // the name they typed to sign
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
