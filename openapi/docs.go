package openapi

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// docsOperation is one row of the docs page.
type docsOperation struct {
	Method, Class, Path, ID, Summary string
	Description                      template.HTML
	Params                           []docsParam
	Body                             string
	Responses                        []string
	Public                           bool
	Anchor                           string
}

type docsParam struct {
	Name, In, Type, Description string
	Required                    bool
}

type docsTag struct {
	Name        string
	Description template.HTML
	Ops         []docsOperation
}

// docsPage renders the document once, at start-up, into a page a person
// can read without a build step or a script from elsewhere: every
// operation by tag, with its parameters, body and responses, and links to
// the document itself for tools.
func docsPage(doc *openapi3.T) (http.Handler, error) {
	byTag := map[string]*docsTag{}
	var order []string
	for _, t := range doc.Tags {
		byTag[t.Name] = &docsTag{Name: t.Name, Description: markdown(t.Description)}
		order = append(order, t.Name)
	}
	paths := doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			o := docsOperation{
				Method: method, Class: strings.ToLower(method), Path: path, ID: op.OperationID,
				Summary: op.Summary, Description: markdown(op.Description),
				Anchor: "op-" + op.OperationID,
			}
			if op.Security != nil && len(*op.Security) == 0 {
				o.Public = true
			}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value == nil {
					continue
				}
				o.Params = append(o.Params, docsParam{
					Name: p.Value.Name, In: p.Value.In, Required: p.Value.Required,
					Type: schemaName(p.Value.Schema), Description: p.Value.Description,
				})
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					o.Body = ct + " " + schemaName(mt.Schema)
				}
			}
			if op.Responses != nil {
				codes := make([]string, 0, op.Responses.Len())
				for code := range op.Responses.Map() {
					codes = append(codes, code)
				}
				slices.Sort(codes)
				for _, code := range codes {
					r := op.Responses.Value(code)
					line := code
					if r.Value != nil {
						for ct, mt := range r.Value.Content {
							line += " " + ct + " " + schemaName(mt.Schema)
							break
						}
					}
					o.Responses = append(o.Responses, line)
				}
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			t, ok := byTag[tag]
			if !ok {
				t = &docsTag{Name: tag}
				byTag[tag] = t
				order = append(order, tag)
			}
			t.Ops = append(t.Ops, o)
		}
	}
	var tags []*docsTag
	for _, name := range order {
		if t := byTag[name]; len(t.Ops) > 0 {
			slices.SortFunc(t.Ops, func(a, b docsOperation) int {
				return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
			})
			tags = append(tags, t)
		}
	}
	var buf bytes.Buffer
	err := docsTemplate.Execute(&buf, struct {
		Title, Version string
		Description    template.HTML
		Tags           []*docsTag
	}{doc.Info.Title, doc.Info.Version, markdown(doc.Info.Description), tags})
	if err != nil {
		return nil, fmt.Errorf("openapi: rendering the docs page: %w", err)
	}
	body := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}), nil
}

// schemaName names a schema for a person: its component name, or its type.
func schemaName(s *openapi3.SchemaRef) string {
	switch {
	case s == nil:
		return ""
	case s.Ref != "":
		return s.Ref[strings.LastIndexByte(s.Ref, '/')+1:]
	case s.Value == nil:
		return ""
	case s.Value.Type != nil && s.Value.Type.Is("array"):
		return "array of " + schemaName(s.Value.Items)
	case s.Value.Type != nil && len(s.Value.Type.Slice()) > 0:
		t := s.Value.Type.Slice()[0]
		if s.Value.Format != "" {
			t += " (" + s.Value.Format + ")"
		}
		return t
	}
	return "object"
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} {{.Version}}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2a33;background:#f6f8f9}
header{background:#17404f;color:#fff;padding:1.2em 2em}
header a{color:#bfe6f2}
main{display:grid;grid-template-columns:16em 1fr;gap:2em;padding:1.5em 2em}
nav a{display:block;color:#17404f;text-decoration:none;padding:.15em 0}
section{background:#fff;border:1px solid #dde4e8;border-radius:6px;padding:1em 1.4em;margin-bottom:1.4em}
.op{border-top:1px solid #eef2f4;padding:.8em 0}
.m{display:inline-block;min-width:4.2em;font:600 12px monospace;text-transform:uppercase;padding:.2em .4em;border-radius:3px;color:#fff;text-align:center}
.get{background:#2f7d5b}.post{background:#2a62a8}.put{background:#a86f1f}.delete{background:#a8322a}.patch{background:#6b3fa8}
code{font:13px monospace}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #e3e9ec;padding:.2em .5em;font-size:13px;text-align:left}
.pub{font-size:12px;color:#2f7d5b;margin-left:.5em}
.about h3{margin:1.2em 0 .3em;color:#17404f}
nav{position:sticky;top:1em;align-self:start}
</style>
</head>
<body>
<header><h1>{{.Title}} <small>{{.Version}}</small></h1>
<p>Machine-readable: <a href="/openapi.yaml">openapi.yaml</a> · <a href="/openapi.json">openapi.json</a>.
Authenticate with <code>X-APIKEY</code> and the <code>X-Auth-Token</code> that <code>POST /api/users/logins</code> returns.</p></header>
<main>
<nav><a href="#about">About this API</a>{{range .Tags}}<a href="#tag-{{.Name}}">{{.Name}}</a>{{end}}</nav>
<div>
<section id="about" class="about">{{.Description}}</section>
{{range .Tags}}<section id="tag-{{.Name}}"><h2>{{.Name}}</h2>{{.Description}}
{{range .Ops}}<div class="op" id="{{.Anchor}}">
<span class="m {{.Class}}">{{.Method}}</span> <code>{{.Path}}</code>{{if .Public}}<span class="pub">no login needed</span>{{end}}
<div><strong>{{.Summary}}</strong> <small><code>{{.ID}}</code></small></div>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th></th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{if .Required}}yes{{end}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<div>Body: <code>{{.Body}}</code></div>{{end}}
<div>Responses: {{range .Responses}}<code>{{.}}</code> {{end}}</div>
</div>{{end}}
</section>{{end}}
</div>
</main>
</body>
</html>
`))
