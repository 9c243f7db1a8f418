package forms

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of answer a field takes.
type Kind string

// The kinds of field a definition may use.
const (
	KindText        Kind = "text"        // one line of text
	KindLongText    Kind = "longtext"    // paragraphs
	KindDate        Kind = "date"        // "2006-01-02"
	KindTime        Kind = "time"        // "15:04"
	KindNumber      Kind = "number"      // a JSON number, optionally whole, between Min and Max
	KindChoice      Kind = "choice"      // one of Options
	KindMultiChoice Kind = "multichoice" // any of Options
	KindYesNo       Kind = "yesno"       // "yes" or "no"
	KindScale       Kind = "scale"       // a whole number from 0 to 10
	KindRAG         Kind = "rag"         // "red", "amber" or "green"
	KindPerson      Kind = "person"      // a member of staff's id
	KindTable       Kind = "table"       // rows of typed Columns
)

// kinds lists every Kind, for load errors.
var kinds = []Kind{KindText, KindLongText, KindDate, KindTime, KindNumber, KindChoice, KindMultiChoice,
	KindYesNo, KindScale, KindRAG, KindPerson, KindTable}

func (k Kind) valid() bool {
	for _, x := range kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Default lengths, in characters, when a definition gives none.
const (
	DefaultTextMaxLength     = 500
	DefaultLongTextMaxLength = 50000
	// DefaultTableMaxRows is how many rows a table may have when its
	// definition gives no max_rows: enough for a year of weekly dates, few
	// enough that a record's documents stay small.
	DefaultTableMaxRows = 100
	// MaxTableMaxRows is the most max_rows may be.
	MaxTableMaxRows = 2000
)

// Definition is one version of one form.
type Definition struct {
	ID          string
	Version     int
	Title       string
	Source      string // the seed and appendix it follows
	Description string
	// Confidential forms are seen only by the supervisee and the current
	// supervisor, and their documents say so on every page.
	Confidential bool
	Signers      []Signer // in signing order
	Declaration  string   // text signers sign under
	Sections     []Section
	Rules        []Rule

	// Generated forms are made and filled in by the service (the file
	// handover), never started by hand.
	Generated bool

	// File is where the definition was read from ("forms/catalogue/x.yaml",
	// or a path in the council's folder); empty for one built in Go.
	File string

	compiled *compiled // set by Parse and Load
}

// Signer is one party who signs a form.
type Signer struct {
	Role  string // "supervisee", "supervisor", …
	Label string // "Supervisee"
	// After are the roles that must have signed before this one may sign
	// (listed before it); empty: any time once submitted.
	After []string
}

// Section is a titled group of fields on the page and in the documents.
type Section struct {
	ID, Title, Intro string
	Owner            string // a signer role who fills it in, or "" for the record's author
	// Statement is fixed policy text (paragraphs separated by a blank
	// line): shown on the page and printed in the documents, so that the
	// signed copy carries it; nobody types it.
	Statement string
	// Layout is how the section prints; the zero Layout prints each
	// answer under its question.
	Layout Layout
	Fields []Field
}

// Layout types a section may declare.
const (
	LayoutGrid  = "grid"  // questions as rows, answers as columns, with a header row
	LayoutRAG   = "rag"   // a grid whose RAG answers print their colour and word
	LayoutPairs = "pairs" // short answers as label and answer side by side
)

// Layout is how a section prints in the documents and on the record page.
// A grid (or rag) names its header row and its rows; each row is a row
// label and one cell for each answer column, a cell holding the answers of
// one or more fields (of any section: a section whose every field is in
// another's grid prints nothing of its own). The section's fields that are
// in no grid print before it, side by side as in pairs.
type Layout struct {
	Type    string
	Columns []string // the header row; with one more column than cells, the first heads the row labels
	Rows    []LayoutRow
}

// LayoutRow is one row of a grid.
type LayoutRow struct {
	Label string     // by default the label of the first field of its first cell
	Cells [][]string // field ids, one list per answer column (may be empty)
}

// Field is one question.
type Field struct {
	ID       string
	Kind     Kind
	Label    string
	Hint     string
	Required bool
	// ErrorLabel is how an error message names the field mid-sentence, for
	// example "the date of agreement"; by default the label with its first
	// letter in lower case.
	ErrorLabel string
	MaxLength  int      // text and longtext, in characters; 500 and 50,000 by default
	Min, Max   *float64 // number; scale is fixed at 0 to 10
	Integer    bool     // number: whole numbers only
	Options    []Option // choice and multichoice; yes/no and RAG have theirs built in
	// Prefill names the value a new record starts with: "supervisee.name",
	// "supervisee.job_title", "supervisee.role", "supervisor.name",
	// "supervisor.job_title", "author.name" (who starts the record), "today",
	// "last_agreement.date"; a table,
	// "planner.year_ahead" (comma-separated dates, a row each).
	Prefill string
	ShowIf  *Condition // a follow-up question, shown when another answer matches
	Columns []Field    // table: the columns, of any kind but table
	Width   string     // a GOV.UK input width hint: "2", "3", "4", "5", "10", "20", "30", "one-half", …
	Rows    int        // longtext: textarea rows hint
	MaxRows int        // table: the most rows it may have; 100 by default
}

// Option is one answer of a choice or multichoice field.
type Option struct {
	Value, Label string
}

// Condition is met when Field's answer equals Equals (for a multichoice,
// when Equals is among the answers). An empty Equals is met by any answer.
type Condition struct {
	Field  string
	Equals string
}

// Prefill keys a field may name.
var prefillKeys = map[string]Kind{
	"supervisee.name":      KindText,
	"supervisee.job_title": KindText,
	"supervisee.role":      KindText,
	"supervisor.name":      KindText,
	"supervisor.job_title": KindText,
	// The person starting the record (the auditor of a file audit).
	"author.name":         KindText,
	"today":               KindDate,
	"last_agreement.date": KindDate,
	// The dates of the year ahead, at the supervisee's frequency: a table
	// gets one row a date, in its first date column.
	"planner.year_ahead": KindTable,
}

// Field finds a field by its path: "id" for a question, "table.col" for a
// table's column. A page input name such as "table.2.col" finds the column
// too.
func (d *Definition) Field(path string) (*Field, bool) {
	parts := strings.Split(path, ".")
	if len(parts) == 3 {
		if _, err := strconv.Atoi(parts[1]); err != nil {
			return nil, false
		}
		parts = []string{parts[0], parts[2]}
	}
	if len(parts) > 2 {
		return nil, false
	}
	f := d.topField(parts[0])
	if f == nil {
		return nil, false
	}
	if len(parts) == 1 {
		return f, true
	}
	if f.Kind != KindTable {
		return nil, false
	}
	if c := f.column(parts[1]); c != nil {
		return c, true
	}
	return nil, false
}

func (d *Definition) topField(id string) *Field {
	for s := range d.Sections {
		for i := range d.Sections[s].Fields {
			if d.Sections[s].Fields[i].ID == id {
				return &d.Sections[s].Fields[i]
			}
		}
	}
	return nil
}

// fields returns every question in page order.
func (d *Definition) fields() []*Field {
	var out []*Field
	for s := range d.Sections {
		for i := range d.Sections[s].Fields {
			out = append(out, &d.Sections[s].Fields[i])
		}
	}
	return out
}

func (f *Field) column(id string) *Field {
	for i := range f.Columns {
		if f.Columns[i].ID == id {
			return &f.Columns[i]
		}
	}
	return nil
}

// maxLength is the field's limit in characters, or 0 for none.
func (f *Field) maxLength() int {
	if f.MaxLength > 0 {
		return f.MaxLength
	}
	switch f.Kind {
	case KindText:
		return DefaultTextMaxLength
	case KindLongText:
		return DefaultLongTextMaxLength
	}
	return 0
}

// options returns the answers a choice-like field allows, built-in ones
// included; nil for kinds with free answers.
func (f *Field) options() []Option {
	switch f.Kind {
	case KindChoice, KindMultiChoice:
		return f.Options
	case KindYesNo:
		return []Option{{"yes", "Yes"}, {"no", "No"}}
	case KindRAG:
		return []Option{{"red", "Red"}, {"amber", "Amber"}, {"green", "Green"}}
	}
	return nil
}

// name is how a message names the field mid-sentence.
func (f *Field) name() string {
	if f.ErrorLabel != "" {
		return f.ErrorLabel
	}
	return lowerFirst(f.Label)
}

// lowerFirst lower-cases the first letter unless the first word looks like
// an acronym or a name ("CPD time", "DBS number").
func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsUpper(r) {
		return s
	}
	if next, _ := utf8.DecodeRuneInString(s[size:]); unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

// upperFirst capitalises the first letter, to start a sentence.
func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// maxRows is the most rows a table may have.
func (f *Field) maxRows() int {
	if f.MaxRows > 0 {
		return f.MaxRows
	}
	return DefaultTableMaxRows
}
