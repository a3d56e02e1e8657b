package v2xml

import "strings"

// node is a group or segment element to write. seg is the index of the
// message segment for a segment node, -1 for a group.
type node struct {
	group    string
	seg      int
	children []*node
}

// groupTree nests the segments under group elements following their
// group paths (hl7.Match.Path: "ACCESSION_DETAIL[1]/SPECIMEN[2]/SPM[1]").
// A segment the structure does not place (empty path: a Z-segment, an
// unexpected segment) stays in the innermost group open at that point.
// The leaves list every segment once, in message order.
func groupTree(paths []string) *node {
	root := &node{seg: -1}
	type open struct {
		key string // "SPECIMEN[2]": the group and its occurrence
		n   *node
	}
	var chain []open
	for i, p := range paths {
		var groups []string
		if p == "" {
			for _, o := range chain {
				groups = append(groups, o.key)
			}
		} else {
			parts := strings.Split(p, "/")
			groups = parts[:len(parts)-1]
		}
		k := 0
		for k < len(chain) && k < len(groups) && chain[k].key == groups[k] {
			k++
		}
		chain = chain[:k]
		parent := root
		if k > 0 {
			parent = chain[k-1].n
		}
		for _, g := range groups[k:] {
			name, _, _ := strings.Cut(g, "[")
			n := &node{group: name, seg: -1}
			parent.children = append(parent.children, n)
			chain = append(chain, open{key: g, n: n})
			parent = n
		}
		parent.children = append(parent.children, &node{seg: i})
	}
	return root
}
