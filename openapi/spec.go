package openapi

import (
	_ "embed"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed vetlink.yaml
var document []byte

// Document returns the OpenAPI 3.0.3 document of the vetlink HTTP API,
// vetlink.yaml, as YAML bytes: the wire contract the generated server and
// client are built from, wire-compatible with the VCPR Protocol Editor API
// 2.1.0. The caller may not modify the returned slice.
func Document() []byte { return document }

// Swagger parses the embedded document with kin-openapi, for request
// validation and for serving it as JSON. Each call returns a fresh
// *openapi3.T, so a caller may change its copy (for instance to set
// servers) without affecting others. The document is the generated
// GetSwagger's, decoded from the same source.
func Swagger() (*openapi3.T, error) { return GetSwagger() }
