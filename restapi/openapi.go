package restapi

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/http"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vetlink/vetlink/oauth"
)

// openAPIYAML is restapi.yaml, the OpenAPI document of /api/0.1/. It is
// generated from [Endpoints] by [OpenAPI]; TestOpenAPIDocument fails when
// the file and the code disagree (go test ./restapi -run OpenAPI -update
// rewrites it).
//
//go:embed restapi.yaml
var openAPIYAML []byte

// OpenAPIDocument returns restapi.yaml as served at /api/0.1/openapi.yaml.
func OpenAPIDocument() []byte { return append([]byte(nil), openAPIYAML...) }

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openAPIYAML)
}

// tokenPath is where the OAuth server issues tokens (package oauth).
const tokenPath = "/oauth/token"

// OpenAPI builds the OpenAPI 3.0 document of the API from its endpoint
// table: one list and one object operation per collection, each naming its
// permission (as an OAuth scope and as x-permission), its filterable
// fields with their methods (x-filterable) and its exposable fields.
func OpenAPI() ([]byte, error) {
	type m = map[string]any
	scopes := m{}
	for _, p := range oauth.Permissions() {
		scopes[string(p)] = "grants the permission " + string(p)
	}
	schemas := m{
		"Problem": m{"type": "object", "required": []string{"type", "title", "status", "errorType"}, "properties": m{
			"type": m{"type": "string"}, "title": m{"type": "string"}, "status": m{"type": "integer"},
			"detail": m{"type": "string"}, "instance": m{"type": "string"}, "errorType": m{"type": "string"},
			"errors": m{"type": "array", "items": m{"type": "object", "required": []string{"field", "rule"}, "properties": m{
				"field": m{"type": "string", "description": "the query parameter as written"}, "value": m{"type": "string"}, "rule": m{"type": "string"}}}},
		}},
	}
	problemResponse := func(desc string) m {
		return m{"description": desc, "content": m{"application/problem+json": m{"schema": m{"$ref": "#/components/schemas/Problem"}}}}
	}
	paths := m{}
	var events []string
	for _, e := range EventLinks() {
		if e.Path == "" {
			events = append(events, fmt.Sprintf("- `%s` (%s): %s", e.Event, e.Param, e.Note))
			continue
		}
		events = append(events, fmt.Sprintf("- `%s` (%s): GET `%s`%s", e.Event, e.Param, e.Path, note(e.Note)))
	}
	for _, e := range Endpoints() {
		schemaName := typeName(e.Collection)
		props := m{"url": m{"type": "string", "format": "uri", "description": "this object's own URL"}}
		var filterable []m
		params := []m{
			{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}, {"$ref": "#/components/parameters/format"},
		}
		for _, f := range e.Fields {
			prop := m{}
			switch f.Type {
			case "integer":
				prop["type"] = "integer"
				prop["format"] = "int64"
			case "boolean":
				prop["type"] = "boolean"
			case "datetime":
				prop["type"] = "string"
				prop["format"] = "date-time"
			case "object":
				prop["description"] = "a JSON document, as stored"
			default:
				prop["type"] = "string"
			}
			if f.Link != "" {
				prop = m{"description": "the URL of the linked " + f.Link + " object, or the object itself when exposed (expose_" + f.Name + "=true)",
					"oneOf": []m{{"type": "string", "format": "uri"}, {"$ref": "#/components/schemas/" + typeName(f.Link)}}}
			}
			prop["nullable"] = true
			props[f.Name] = prop
			if len(f.Methods) > 0 {
				filterable = append(filterable, m{"field": f.Name, "type": f.Type, "methods": f.Methods})
				params = append(params, m{"name": f.Name, "in": "query", "required": false, "schema": m{"type": "string"},
					"description": fmt.Sprintf("filter on %s (%s); also %s__<method> with method one of %s", f.Name, f.Type, f.Name, strings.Join(f.Methods, ", "))})
			}
		}
		for _, r := range e.Related {
			props[r] = m{"type": "string", "format": "uri", "description": "the list of this object's " + r}
		}
		if e.Collection != "animals" && hasField(e.Fields, "animal_id") && hasField(e.Fields, "farm") {
			props["animal"] = m{"type": "string", "format": "uri", "description": "the URL of the animal"}
		}
		var exposable []m
		for _, x := range e.Exposable {
			exposable = append(exposable, m{"field": x.Field, "collection": x.Collection, "permission": string(x.Permission)})
			params = append(params, m{"name": "expose_" + x.Field, "in": "query", "required": false, "schema": m{"type": "boolean"},
				"description": fmt.Sprintf("inline the linked %s object (needs %s)", x.Collection, x.Permission)})
		}
		schemas[schemaName] = m{"type": "object", "required": []string{"url"}, "properties": props}
		schemas[schemaName+"List"] = m{"type": "object", "required": []string{"count", "next", "previous", "results"}, "properties": m{
			"count":    m{"type": "integer", "description": "how many objects match, on every page"},
			"next":     m{"type": "string", "format": "uri", "nullable": true},
			"previous": m{"type": "string", "format": "uri", "nullable": true},
			"results":  m{"type": "array", "items": m{"$ref": "#/components/schemas/" + schemaName}},
		}}
		security := []m{{"oauth2": []string{string(e.Permission)}}}
		errs := func(ok m, notFound bool) m {
			r := m{"200": ok, "401": problemResponse("no valid bearer token"),
				"403": problemResponse("the token lacks the permission named in the problem's detail")}
			if notFound {
				r["404"] = problemResponse("no such object")
			} else {
				r["400"] = problemResponse("an unknown field or method, or a value of the wrong type; errors[0].field names the parameter")
			}
			return r
		}
		html := m{"text/html": m{"schema": m{"type": "string"}}}
		listOK := m{"description": "a page of " + e.Collection, "content": m{"application/json": m{"schema": m{"$ref": "#/components/schemas/" + schemaName + "List"}}}}
		objOK := m{"description": "the object", "content": m{"application/json": m{"schema": m{"$ref": "#/components/schemas/" + schemaName}}}}
		for _, c := range []m{listOK["content"].(m), objOK["content"].(m)} {
			for k, v := range html {
				c[k] = v
			}
		}
		paths[e.List] = m{"get": m{
			"operationId": "list" + schemaName, "summary": e.Title, "tags": []string{e.Collection},
			"description":  "Needs the permission `" + string(e.Permission) + "`. A browser (Accept: text/html) gets the browsable page.",
			"x-permission": string(e.Permission), "x-filterable": filterable, "x-exposable": exposable,
			"security": security, "parameters": params, "responses": errs(listOK, false),
		}}
		var pathParams []m
		for _, seg := range strings.Split(e.Object, "/") {
			if strings.HasPrefix(seg, "{") {
				pathParams = append(pathParams, m{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": m{"type": "string"}})
			}
		}
		objParams := append(pathParams, m{"$ref": "#/components/parameters/format"})
		for _, p := range params[3:] {
			if strings.HasPrefix(p["name"].(string), "expose_") {
				objParams = append(objParams, p)
			}
		}
		paths[e.Object] = m{"get": m{
			"operationId": "get" + strings.TrimSuffix(schemaName, "s"), "summary": "One of " + e.Collection, "tags": []string{e.Collection},
			"x-permission": string(e.Permission), "security": security, "parameters": objParams, "responses": errs(objOK, true),
		}}
	}
	paths[Prefix] = m{"get": m{"operationId": "index", "summary": "The endpoint table: every collection, its permission, filterable and exposable fields, and the URL each webhook event names",
		"security": []m{}, "responses": m{"200": m{"description": "the endpoint table", "content": m{"application/json": m{"schema": m{"type": "object"}}, "text/html": m{"schema": m{"type": "string"}}}}}}}
	paths[Prefix+"openapi.yaml"] = m{"get": m{"operationId": "openapi", "summary": "This document", "security": []m{},
		"responses": m{"200": m{"description": "the document", "content": m{"application/yaml": m{"schema": m{"type": "string"}}}}}}}
	doc := m{
		"openapi": "3.0.3",
		"info": m{"title": "vetlink integration API", "version": "0.1", "description": "The REST API through which integrations read a vetlink server's data with OAuth 2.0 tokens.\n\n" +
			filterHelp + "\n\nEach endpoint names the permission it needs (x-permission, and the OAuth scope of the same name); a token without it gets a 403 problem naming it.\n\n" +
			"Webhook events carry the id of the object they announce; read it at:\n\n" + strings.Join(events, "\n") + "\n"},
		"servers":  []m{{"url": "/"}},
		"security": []m{{"oauth2": []string{}}},
		"components": m{
			"securitySchemes": m{"oauth2": m{"type": "oauth2", "flows": m{
				"clientCredentials": m{"tokenUrl": tokenPath, "scopes": scopes},
			}}},
			"parameters": m{
				"limit":  m{"name": "limit", "in": "query", "required": false, "schema": m{"type": "integer", "minimum": 1, "maximum": 500, "default": DefaultLimit}},
				"offset": m{"name": "offset", "in": "query", "required": false, "schema": m{"type": "integer", "minimum": 0, "default": 0}},
				"format": m{"name": "format", "in": "query", "required": false, "schema": m{"type": "string", "enum": []string{"json", "html"}},
					"description": "json or html, whatever the Accept header says"},
			},
			"schemas": schemas,
		},
		"paths": paths,
	}
	var b bytes.Buffer
	b.WriteString("# Code generated by restapi.OpenAPI from the endpoint table (go test ./restapi -run OpenAPI -update). DO NOT EDIT.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func note(s string) string {
	if s == "" {
		return ""
	}
	return " — " + s
}

func hasField(fs []FieldDoc, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// typeName is a collection's schema name: "webhook_deliveries" →
// "WebhookDeliveries".
func typeName(collection string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(collection, "_") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
