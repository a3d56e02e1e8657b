package client

// The client is generated from the server's document, openapi/vetlink.yaml, by
// oapi-codegen, pinned in the tools module and run through its tool directive.
//go:generate go tool -modfile=../tools/go.mod oapi-codegen -config oapi-codegen.yaml ../openapi/vetlink.yaml
