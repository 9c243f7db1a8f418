package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/server"
)

// apiDoc is the service's OpenAPI document and a router over it, loaded
// once for every test.
var apiDoc = sync.OnceValues(func() (routers.Router, error) {
	raw, err := server.OpenAPI()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	for _, ct := range []string{"application/pdf", "application/zip", "text/csv",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	return gorillamux.NewRouter(doc)
})

// checkAPIResponse says how a response to an /api/v1 request differs from
// the OpenAPI document ("" when it matches): an undocumented status, or a
// body that is not what the document says. A path the document does not
// have may only be answered 404 or 405.
func checkAPIResponse(req *http.Request, status int, header http.Header, body []byte) string {
	router, err := apiDoc()
	if err != nil {
		return "the OpenAPI document does not load: " + err.Error()
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return ""
		}
		return fmt.Sprintf("answered %d but not in the OpenAPI document (%v)", status, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return err.Error()
	}
	return ""
}

// openapiCheck is the test clients' transport: every response to an
// /api/v1 request, in any test, is checked against the OpenAPI document,
// and a mismatch fails the test.
type openapiCheck struct {
	t    *testing.T
	next http.RoundTripper
}

func (o *openapiCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.next.RoundTrip(req)
	if err != nil || !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil // the caller sees the short body
	}
	if msg := checkAPIResponse(req, resp.StatusCode, resp.Header, body); msg != "" {
		o.t.Errorf("%s %s answered %d, not as the OpenAPI document says: %s\n%s", req.Method, req.URL.Path, resp.StatusCode, msg, truncateForLog(body))
	}
	return resp, nil
}

// The document is served, and the check catches a response that differs.
func TestOpenAPIServedAndChecked(t *testing.T) {
	m := startApp(t, nil)
	c := newClient(t, m.URL)
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	c.call("GET", "/api/v1/openapi.json", nil, http.StatusOK, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/api/v1/records/{rid}/signatures"] == nil {
		t.Errorf("served document: openapi %q, %d paths", doc.OpenAPI, len(doc.Paths))
	}
	req, _ := http.NewRequest("GET", m.URL+"/api/v1/me", nil)
	for _, c := range []struct {
		status int
		body   string
		ok     bool
	}{
		{200, `{"id":"x","name":"A","email":"a@b","job_title":"t","role":"r","start_date":"2024-01-01","is_admin":false}`, true},
		{200, `{"id":"x","name":"A"}`, false},                                   // required properties missing
		{401, `{"error":{"code":"unauthenticated","message":"Sign in"}}`, true}, // the default error
		{401, `{"message":"Sign in"}`, false},                                   // not the error shape
	} {
		h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
		if msg := checkAPIResponse(req, c.status, h, []byte(c.body)); (msg == "") != c.ok {
			t.Errorf("%d %s: check says %q", c.status, c.body, msg)
		}
	}
	unknown, _ := http.NewRequest("GET", m.URL+"/api/v1/no-such-thing", nil)
	if msg := checkAPIResponse(unknown, 200, http.Header{}, nil); msg == "" {
		t.Error("a 200 from a path not in the document passes the check")
	}
}

// A script fills a two-party form from its schema alone: the schema says
// whose each answer is (x-owner) and who signs in what order (x-signers).
// The observer (the record's author) starts a practice observation with
// the answers of the author's sections, the observee saves theirs, the
// author submits and each signer signs in turn; the record ends signed.
func TestScriptFillsATwoPartyFormFromItsSchema(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var schema struct {
		Properties map[string]struct {
			Owner string `json:"x-owner"`
		} `json:"properties"`
		Signers []struct{ Role string } `json:"x-signers"`
	}
	p.supervisor.call("GET", "/api/v1/forms/practice-observation/schema", nil, http.StatusOK, &schema)
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("practice-observation")
	answers := forms.Sample(def, p.supervisorID) // what the script has to say
	// Who is who: the observer starts the record; the observee is the supervisee.
	party := map[string]*client{"author": p.supervisor, "observer": p.supervisor, "observee": p.supervisee}
	names := map[*client]string{p.supervisor: "Ahmed Khan", p.supervisee: "Siân Gwŷnedd-Jones"}
	parts := map[string]map[string]any{}
	for id, v := range answers {
		owner := schema.Properties[id].Owner
		if party[owner] == nil {
			t.Fatalf("answer %s: x-owner %q names no party", id, owner)
		}
		if parts[owner] == nil {
			parts[owner] = map[string]any{}
		}
		parts[owner][id] = v
	}
	if len(parts) != 2 || len(schema.Signers) != 2 {
		t.Fatalf("want two parties' answers and two signers: parts %d, signers %v", len(parts), schema.Signers)
	}
	var rec recordResp
	party["author"].call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "practice-observation", "data": parts["author"]}, http.StatusCreated, &rec)
	for owner, data := range parts {
		if owner != "author" {
			party[owner].call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusOK, &rec)
		}
	}
	party["author"].call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	for _, sg := range schema.Signers {
		c := party[sg.Role]
		c.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": names[c], "confirm": true}, http.StatusCreated, &rec)
	}
	if rec.Status != "signed" || len(rec.Documents) != 3 {
		t.Fatalf("after every party filled and signed from the schema: %s, %d documents", rec.Status, len(rec.Documents))
	}
}
