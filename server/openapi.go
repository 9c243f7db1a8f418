package server

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"
)

// openapiYAML is the hand-written OpenAPI 3.1 description of every
// /api/v1 route. A test fails on a route missing from it, and the
// end-to-end tests check every API response they get against it.
//
//go:embed openapi.yaml
var openapiYAML []byte

var openapiJSON = sync.OnceValues(func() ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		return nil, fmt.Errorf("server/openapi.yaml: %w", err)
	}
	return json.MarshalIndent(doc, "", "  ")
})

// OpenAPI is the API's OpenAPI 3.1 document, as JSON.
func OpenAPI() ([]byte, error) { return openapiJSON() }

func (s *Server) apiOpenAPI(c *gin.Context) error {
	doc, err := openapiJSON()
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "application/json", doc)
	return nil
}
