package main

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/supervisionfile/supfile/internal/pngtest"
)

// Drawn signatures that look valid but carry chunks the PDF library choked
// on (8-bit grey with an empty tRNS or a pHYs chunk), over the API: what
// does not decode is refused with a message on the drawing; what does is
// kept re-encoded, and the record ends signed with its documents, not
// "documents pending" for ever.
func TestOddDrawingsOverTheAPI(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var rec struct {
		recordResp
		DocumentsPending bool `json:"documents_pending"`
	}
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
		"data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	b64 := base64.StdEncoding.EncodeToString

	var e apiErr
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true,
		"drawing_png_base64": b64(pngtest.Grey(pngtest.EmptyTRNS))}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "drawing") {
		t.Fatalf("grey PNG with an empty tRNS chunk: %+v", e)
	}
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true,
		"drawing_png_base64": b64(pngtest.Grey(pngtest.PHYs))}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true,
		"drawing_png_base64": b64(pngtest.Grey(pngtest.EmptyPHYs))}, http.StatusCreated, &rec)
	if rec.Status != "signed" || rec.DocumentsPending || len(rec.Documents) != 3 || len(rec.Signatures) != 2 {
		t.Fatalf("after both signed with grey drawings: status %s, pending %v, %d documents", rec.Status, rec.DocumentsPending, len(rec.Documents))
	}
	pdf := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	if len(pdf) < 1000 {
		t.Errorf("PDF of %d bytes", len(pdf))
	}
}
