package openapi

// The server code is generated from vetlink.yaml by oapi-codegen, pinned in
// the tools module and run through its tool directive, so the SDK's own module
// graph never includes the generator.
//go:generate go tool -modfile=../tools/go.mod oapi-codegen -config oapi-codegen.yaml vetlink.yaml
