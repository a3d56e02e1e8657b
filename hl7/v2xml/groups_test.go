package v2xml

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// render writes a tree as "G(seg seg G(seg))" with segment indexes.
func render(n *node) string {
	var parts []string
	for _, c := range n.children {
		if c.seg >= 0 {
			parts = append(parts, strconv.Itoa(c.seg))
		} else {
			parts = append(parts, c.group+"("+render(c)+")")
		}
	}
	return strings.Join(parts, " ")
}

func TestGroupTree(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"no structure", []string{"", "", ""}, "0 1 2"},
		{"sibling instances", []string{"MSH[1]", "R[1]/OBX[1]", "R[1]/NTE[1]", "R[2]/OBX[1]"},
			"0 R(1 2) R(3)"},
		{"nested, then back out", []string{"MSH[1]", "A[1]/NK1[1]", "A[1]/S[1]/SPM[1]", "A[1]/S[1]/O[1]/OBR[1]", "A[1]/S[2]/SPM[1]", "A[2]/NK1[1]"},
			"0 A(1 S(2 O(3)) S(4)) A(5)"},
		{"unplaced segments stay in the open group", []string{"MSH[1]", "A[1]/S[1]/SPM[1]", "", "A[1]/S[1]/OBX[1]", ""},
			"0 A(S(1 2 3 4))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, render(groupTree(tt.paths)))
		})
	}
}
