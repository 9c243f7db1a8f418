package server

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/supervisionfile/supfile/supervision"
)

// The OpenAPI document is valid OpenAPI 3.1 and describes every /api/v1
// route gin serves, with each method; and nothing gin does not serve.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	raw, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	// The routes only: a service with nothing behind it is never called.
	srv, err := New(supervision.New(nil, nil, nil, nil, supervision.Config{}, nil), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	served := map[string]bool{}
	for _, r := range srv.gin.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		served[r.Method+" "+path] = true
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("%s %s is served but not in server/openapi.yaml", r.Method, path)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !served[method+" "+path] {
				t.Errorf("%s %s is in server/openapi.yaml but not served", method, path)
			}
		}
	}
	if len(served) < 30 {
		t.Errorf("only %d API routes found", len(served))
	}
}
