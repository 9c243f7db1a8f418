package render

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// newTestRenderer is shared by all tests: New parses the fonts once.
func newTestRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := New(Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// signaturePNG draws a wavy stroke the way the signature pad does: an RGBA
// canvas, transparent except for the ink.
func signaturePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	ink := color.NRGBA{R: 10, G: 20, B: 80, A: 255}
	for x := 10; x < w-10; x++ {
		y := float64(h)/2 + float64(h)/4*math.Sin(float64(x)/15)
		for dy := -2; dy <= 2; dy++ {
			img.SetNRGBA(x, int(y)+dy, ink)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	london0 = mustLondon()
	t0      = time.Date(2026, 3, 3, 14, 5, 0, 0, london0)
)

func mustLondon() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}

// agreement is a realistic filled supervision agreement: about two pages of
// answers in twelve sections, two signatures and six audit events.
func agreement(t testing.TB) printout.Document {
	para := func(s string, n int) string {
		return strings.TrimSpace(strings.Repeat(s+" ", n))
	}
	return printout.Document{
		OrgName:      "Cyngor Sir Ynys Môn — Isle of Anglesey County Council",
		Title:        "Supervision agreement",
		Subtitle:     "Jane Smith (Social Worker) — supervised by Ahmed Khan",
		Reference:    "Record 3f2a9c1e-0b7d-4c55-9a61-2f0e8d6b4a13 version 1",
		Confidential: true,
		Declaration: "We agree to the arrangements above and will review them at least every twelve months.\n\n" +
			"Supervision records are kept on the supervisee's file for six years after they leave.",
		Sections: []printout.Section{
			{Title: "1. Purpose of supervision", Intro: "Why supervision happens and what it is for.", Fields: []printout.Field{
				{Label: "What we want supervision to achieve", Value: para("To reflect on practice with children and families, to plan casework, to support wellbeing and to identify learning needs.", 3)},
			}},
			{Title: "2. Frequency and duration", Fields: []printout.Field{
				{Label: "How often", Value: "Every four weeks"},
				{Label: "How long", Value: "90 minutes"},
				{Label: "Where", Value: "Llangefni office, meeting room 2, or Teams when either of us is working from home"},
			}},
			{Title: "3. Cancellation and rescheduling", Fields: []printout.Field{
				{Label: "If a session has to be cancelled", Value: para("The person cancelling rebooks within five working days and tells the other as early as possible.", 2)},
			}},
			{Title: "4. Preparation", Fields: []printout.Field{
				{Label: "Supervisee will bring", Value: "Case list with RAG ratings\nAny cases needing a decision\nTraining log"},
				{Label: "Supervisor will bring", Value: "Performance data for the team\nFeedback received since the last session"},
			}},
			{Title: "5. Recording", Fields: []printout.Field{
				{Label: "Who records", Value: para("The supervisor records case decisions on the child's file within two working days; the supervisee writes the reflective notes.", 2)},
			}},
			{Title: "6. Confidentiality", Fields: []printout.Field{
				{Label: "Limits of confidentiality", Value: para("Supervision is confidential except where there are concerns about the safety of a child or adult, or about professional conduct.", 2) +
					"\n\n" + para("In that case the supervisor will say what will be shared, with whom and why, before sharing it where that is safe.", 2)},
			}},
			{Title: "7. Wellbeing", Fields: []printout.Field{
				{Label: "What helps when work is hard", Value: para("A short check-in after difficult visits; being able to close the door and take ten minutes; knowing the duty rota early.", 2)},
				{Label: "Cymraeg", Value: "Hoffwn i gael goruchwyliaeth yn Gymraeg pan fo modd — ŵ ŷ ẁ ỳ ẃ ý."},
			}},
			{Title: "8. Learning and development", Fields: []printout.Field{
				{Label: "Development plan", Table: &printout.Table{
					Columns: []string{"Goal", "Action", "By when"},
					Rows: [][]string{
						{"Court skills", "Shadow a senior practitioner at two hearings; attend the legal training day", "June 2026"},
						{"Direct work with teenagers", "Complete the trauma-informed practice course", "September 2026"},
						{"Welsh language", "Lefel Sylfaen course, Tuesday evenings", "December 2026"},
					},
				}},
			}},
			{Title: "9. Diversity and difference", Fields: []printout.Field{
				{Label: "How difference may affect our supervision", Value: para("We will talk about how our different backgrounds and experiences shape how we see families and each other.", 2)},
			}},
			{Title: "10. Disagreements", Fields: []printout.Field{
				{Label: "How we will resolve disagreements", Value: para("Talk first; if unresolved, involve the team manager; the supervisee can always ask for a decision to be recorded with their view.", 2)},
			}},
			{Title: "11. Other arrangements", Fields: []printout.Field{
				{Label: "Group or peer supervision", Value: ""},
				{Label: "Anything else", Value: ""},
			}},
			{Title: "12. Review", Fields: []printout.Field{
				{Label: "Review date", Value: "3 March 2027"},
			}},
		},
		Signatures: []printout.Signature{
			{Role: "Supervisee", Name: "Jane Smith", JobTitle: "Social Worker", SignedAt: t0, Comment: "Happy with this agreement.", DrawingPNG: signaturePNG(t, 480, 160)},
			{Role: "Supervisor", Name: "Ahmed Khan", JobTitle: "Practice Supervisor", SignedAt: t0.Add(26 * time.Hour)},
		},
		Audit: []printout.Event{
			{At: t0.Add(-72 * time.Hour), Actor: "Ahmed Khan", Action: "created"},
			{At: t0.Add(-70 * time.Hour), Actor: "Ahmed Khan", Action: "saved draft"},
			{At: t0.Add(-2 * time.Hour), Actor: "Jane Smith", Action: "saved draft", Detail: "Sections 4 and 7"},
			{At: t0.Add(-1 * time.Hour), Actor: "Ahmed Khan", Action: "submitted for signatures"},
			{At: t0, Actor: "Jane Smith", Action: "signed", Detail: "Supervisee"},
			{At: t0.Add(26 * time.Hour), Actor: "Ahmed Khan", Action: "signed", Detail: "Supervisor"},
		},
		DataSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
}

func renderPDF(t testing.TB, r *Renderer, d printout.Document) []byte {
	t.Helper()
	b, err := r.PDF(context.Background(), d)
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	return b
}
