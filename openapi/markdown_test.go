package openapi

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"paragraphs join their lines", "one\ntwo\n\nthree", "<p>one two</p>\n<p>three</p>\n"},
		{"heading below the page's own", "## Errors", "<h3>Errors</h3>\n"},
		{"code spans", "use `X-APIKEY` here", "<p>use <code>X-APIKEY</code> here</p>\n"},
		{"an unmatched backtick stays", "a ` b", "<p>a ` b</p>\n"},
		{"list with a continued item", "- first\n  still first\n- second", "<ul>\n<li>first still first</li>\n<li>second</li>\n</ul>\n"},
		{"table", "| a | b |\n| --- | --- |\n| `1` | 2 |", "<table>\n<tr><th>a</th><th>b</th></tr>\n<tr><td><code>1</code></td><td>2</td></tr>\n</table>\n"},
		{"markup is escaped", "<script>alert(1)</script> & `<b>`", "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; <code>&lt;b&gt;</code></p>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, string(markdown(tt.in)))
		})
	}
}
