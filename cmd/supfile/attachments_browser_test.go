package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/internal/clamdtest"
)

// TestBrowserAttachments: the attachments panel of a draft's page and edit
// page, with a real clamd. A program renamed .pdf and the EICAR test file
// are refused with the reason beside the file upload (the name typed is
// kept); a PDF is attached, listed with its size and SHA-256, and removed.
// Axe-clean, no sideways scroll at 375 and 1280 px, without JavaScript
// needed (a plain form post).
func TestBrowserAttachments(t *testing.T) {
	t.Parallel()
	clam := clamdtest.Start(t)
	m := startApp(t, map[string]string{"SUPFILE_CLAMD": clam.Address()})
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, 201, &rec)

	dir := t.TempDir()
	file := func(name string, data []byte) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	exe := file("letter.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 500)...))
	eicar := file("eicar.pdf", []byte(clamdtest.EICAR))
	tool := file("Reflective tool.pdf", []byte(testPDF))

	see := browser(t)
	signIn(t, see, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")
	navigate(t, see, chromedp.Navigate(m.URL+"/records/"+rec.ID))
	waitText(t, see, "#attachments", "Attachments")
	checkWidths(t, see, "record page with the attachments panel")

	upload := func(path, name string) {
		t.Helper()
		do(t, see, chromedp.SetUploadFiles(`#f-attachment_file`, []string{path}, chromedp.ByQuery),
			setValue(`#f-attachment_name`, name))
		click(t, see, `form[action$="/attachments"] button[type=submit]`)
	}
	upload(exe, "Letter from the court")
	if msg := textOf(t, see, `#f-attachment_file-error`); !strings.Contains(msg, "is a program") {
		t.Errorf("a program renamed .pdf: %q beside the field", msg)
	}
	if got := valueOf(t, see, `#f-attachment_name`); got != "Letter from the court" {
		t.Errorf("the name typed was not kept: %q", got)
	}
	if s := textOf(t, see, `.govuk-error-summary`); !strings.Contains(s, "is a program") {
		t.Errorf("error summary: %q", s)
	}
	checkWidths(t, see, "attachment refused: wrong type")

	upload(eicar, "Feedback")
	if msg := textOf(t, see, `#f-attachment_file-error`); !strings.Contains(msg, "contains a virus (Eicar-Test-Signature") {
		t.Errorf("EICAR: %q beside the field", msg)
	}
	checkWidths(t, see, "attachment refused: virus")

	do(t, see, setValue(`#f-attachment_description`, "The tool we used to reflect on the case."))
	upload(tool, "Reflective tool")
	waitText(t, see, ".govuk-notification-banner", "File attached")
	list := textOf(t, see, `#attachments + .govuk-summary-list`)
	for _, want := range []string{"Reflective tool", "The tool we used to reflect on the case.", "PDF", sha256Hex([]byte(testPDF))} {
		if !strings.Contains(list, want) {
			t.Errorf("the list does not show %q: %q", want, list)
		}
	}
	checkWidths(t, see, "record page with an attachment")

	// The supervisor's edit page has the panel too, below the form; the
	// download link gives the file.
	var a struct {
		Attachments []attachmentResp
	}
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID+"/attachments", nil, 200, &a)
	if len(a.Attachments) != 1 {
		t.Fatalf("attachments: %+v", a)
	}
	sup := browser(t)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+rec.ID+"/edit"))
	waitText(t, sup, "#attachments + .govuk-summary-list", "Reflective tool")
	var href string
	do(t, sup, chromedp.AttributeValue(`#attachments + .govuk-summary-list a`, "href", &href, nil, chromedp.ByQuery))
	if href != "/records/"+rec.ID+"/attachments/"+a.Attachments[0].ID {
		t.Errorf("download link %q", href)
	}
	status, body := p.supervisor.get(href)
	if status != 200 || body != testPDF {
		t.Errorf("download: %d %q", status, body)
	}
	checkWidths(t, sup, "edit page with the attachments panel")

	// Removing it.
	click(t, sup, `form[action$="/remove"] button[type=submit]`)
	waitText(t, sup, ".govuk-notification-banner", "Attachment removed")
	waitText(t, sup, "#attachments ~ p", "No files are attached")
}
