package openapi

import (
	"html"
	"html/template"
	"strings"
)

// markdown renders the CommonMark subset the document's descriptions use
// into HTML for the docs page: paragraphs, "## " headings, "- " lists,
// pipe tables and `code` spans. Everything else is text. The input is
// escaped before any tag is added, so a description cannot inject markup.
func markdown(src string) template.HTML {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
			para = para[:0]
		}
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "#"):
			flush()
			level := len(line) - len(strings.TrimLeft(line, "#"))
			level = min(max(level+1, 3), 6) // the page's own h1 and h2 come first
			tag := "h" + string(rune('0'+level))
			b.WriteString("<" + tag + ">" + inline(strings.TrimSpace(strings.TrimLeft(line, "#"))) + "</" + tag + ">\n")
		case strings.HasPrefix(line, "- "):
			flush()
			b.WriteString("<ul>\n")
			for i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "- ") {
				item := strings.TrimPrefix(strings.TrimSpace(lines[i]), "- ")
				// Continuation lines are indented and belong to the item.
				for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  ") && !strings.HasPrefix(strings.TrimSpace(lines[i+1]), "- ") && strings.TrimSpace(lines[i+1]) != "" {
					i++
					item += " " + strings.TrimSpace(lines[i])
				}
				b.WriteString("<li>" + inline(item) + "</li>\n")
				i++
			}
			i--
			b.WriteString("</ul>\n")
		case strings.HasPrefix(line, "|"):
			flush()
			b.WriteString("<table>\n")
			row := 0
			for i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
				cells := strings.Split(strings.Trim(strings.TrimSpace(lines[i]), "|"), "|")
				i++
				if row == 1 && isTableRule(cells) {
					row++
					continue
				}
				cell := "td"
				if row == 0 {
					cell = "th"
				}
				b.WriteString("<tr>")
				for _, c := range cells {
					b.WriteString("<" + cell + ">" + inline(strings.TrimSpace(c)) + "</" + cell + ">")
				}
				b.WriteString("</tr>\n")
				row++
			}
			i--
			b.WriteString("</table>\n")
		default:
			para = append(para, line)
		}
	}
	flush()
	return template.HTML(b.String())
}

// isTableRule reports whether cells are a table's "--- | ---" line.
func isTableRule(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(strings.TrimSpace(c), "-:") != "" {
			return false
		}
	}
	return true
}

// inline escapes s and turns `code` spans into <code>.
func inline(s string) string {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("<code>" + html.EscapeString(p) + "</code>")
			continue
		}
		if i%2 == 1 { // an unmatched backtick
			b.WriteString("`")
		}
		b.WriteString(html.EscapeString(p))
	}
	return b.String()
}
