package forms

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaDraft is the JSON Schema dialect every definition compiles to.
const schemaDraft = "https://json-schema.org/draft/2020-12/schema"

// timePattern is a time of day as the page's time input sends it. The
// "time" format of JSON Schema is RFC 3339's full-time, with seconds and a
// zone offset, which is not what a form asks for.
const timePattern = `^([01][0-9]|2[0-3]):[0-5][0-9]$`

// compiled is a definition's schema, built once.
type compiled struct {
	doc    []byte
	schema *jsonschema.Schema
}

// Schema returns the JSON Schema (2020-12) of the definition's answers: an
// object keyed by field id, with each answer's type, format, length, range
// and options, and no other keys. Which answers are required depends on the
// mode (a draft may be partial), so the schema lists none; Validate checks
// them in Final mode.
func (d *Definition) Schema() []byte {
	if d.compiled != nil {
		return bytes.Clone(d.compiled.doc)
	}
	doc, _ := json.MarshalIndent(d.schemaDoc(), "", "  ")
	return doc
}

func (d *Definition) schemaDoc() map[string]any {
	// Who fills each answer and who signs, for a script filling a form
	// with several parties (JSON Schema ignores x- keywords): each
	// property's "x-owner" is the signer role that fills its section, or
	// "author" for whoever started the record; "x-sections" lists the
	// sections in order, "x-signers" the signers in signing order.
	props := map[string]any{}
	sections := []any{}
	for s := range d.Sections {
		sec := &d.Sections[s]
		owner := sec.Owner
		if owner == "" {
			owner = "author"
		}
		ids := []string{}
		for i := range sec.Fields {
			f := &sec.Fields[i]
			fs := fieldSchema(f)
			fs["x-owner"], fs["x-section"] = owner, sec.ID
			props[f.ID] = fs
			ids = append(ids, f.ID)
		}
		sections = append(sections, map[string]any{"id": sec.ID, "title": sec.Title, "x-owner": owner, "fields": ids})
	}
	signers := []any{}
	for _, sg := range d.Signers {
		m := map[string]any{"role": sg.Role, "label": sg.Label}
		if len(sg.After) > 0 {
			m["after"] = sg.After
		}
		signers = append(signers, m)
	}
	doc := map[string]any{
		"x-sections":           sections,
		"x-signers":            signers,
		"$schema":              schemaDraft,
		"$id":                  fmt.Sprintf("urn:supfile:form:%s:%d", d.ID, d.Version),
		"title":                d.Title,
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	if d.Description != "" {
		doc["description"] = d.Description
	}
	return doc
}

func fieldSchema(f *Field) map[string]any {
	s := map[string]any{"title": f.Label}
	if f.Hint != "" {
		s["description"] = f.Hint
	}
	enum := func(opts []Option) []any {
		vals := make([]any, len(opts))
		for i, o := range opts {
			vals[i] = o.Value
		}
		return vals
	}
	switch f.Kind {
	case KindText, KindLongText:
		s["type"] = "string"
		s["maxLength"] = f.maxLength()
	case KindDate:
		s["type"] = "string"
		s["format"] = "date"
	case KindTime:
		s["type"] = "string"
		s["pattern"] = timePattern
	case KindNumber:
		s["type"] = "number"
		if f.Integer {
			s["type"] = "integer"
		}
		if f.Min != nil {
			s["minimum"] = *f.Min
		}
		if f.Max != nil {
			s["maximum"] = *f.Max
		}
	case KindScale:
		s["type"] = "integer"
		s["minimum"] = 0
		s["maximum"] = 10
	case KindChoice, KindYesNo, KindRAG:
		s["type"] = "string"
		s["enum"] = enum(f.options())
	case KindMultiChoice:
		s["type"] = "array"
		s["items"] = map[string]any{"type": "string", "enum": enum(f.options())}
		s["uniqueItems"] = true
	case KindPerson:
		s["type"] = "string"
		s["minLength"] = 1
		s["maxLength"] = 200
	case KindTable:
		cols := map[string]any{}
		for i := range f.Columns {
			cols[f.Columns[i].ID] = fieldSchema(&f.Columns[i])
		}
		s["type"] = "array"
		s["maxItems"] = f.maxRows()
		s["items"] = map[string]any{
			"type":                 "object",
			"properties":           cols,
			"additionalProperties": false,
		}
	}
	return s
}

// compile builds the schema document and compiles it with format
// assertions on, as the validator of record.
func compile(d *Definition) (*compiled, error) {
	doc, err := json.MarshalIndent(d.schemaDoc(), "", "  ")
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	url := fmt.Sprintf("urn:supfile:form:%s:%d", d.ID, d.Version)
	if err := c.AddResource(url, inst); err != nil {
		return nil, err
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, err
	}
	return &compiled{doc: doc, schema: sch}, nil
}
