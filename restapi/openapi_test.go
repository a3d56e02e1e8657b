package restapi_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/restapi"
)

var update = flag.Bool("update", false, "rewrite restapi.yaml from the endpoint table")

// TestOpenAPIDocument checks that restapi.yaml is the document the
// endpoint table generates, that it is a valid OpenAPI 3 document, and
// that it names every collection's paths and permission.
func TestOpenAPIDocument(t *testing.T) {
	got, err := restapi.OpenAPI()
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile("restapi.yaml", got, 0o644))
		t.Skip("rewrote restapi.yaml; run again without -update to check it (it is embedded at build time)")
	}
	file, err := os.ReadFile("restapi.yaml")
	require.NoError(t, err)
	require.True(t, bytes.Equal(got, file), "restapi.yaml is stale: go test ./restapi -run OpenAPI -update")
	require.Equal(t, file, restapi.OpenAPIDocument())

	doc, err := openapi3.NewLoader().LoadFromData(file)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	for _, e := range restapi.Endpoints() {
		for _, path := range []string{e.List, e.Object} {
			item := doc.Paths.Find(path)
			require.NotNil(t, item, path)
			require.Equal(t, string(e.Permission), item.Get.Extensions["x-permission"], path)
		}
	}
}
