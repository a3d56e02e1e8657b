package main

import (
	"runtime/debug"
	"strings"
)

// buildVersion describes this binary from its build information: the
// module version (v1.2.3 when built by go install ...@v1.2.3, "(devel)"
// for a build in the checkout), the VCS revision and time when the build
// recorded them, and whether the tree was modified.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	// A released version names its commit already; a development build
	// is named by the commit it was built from.
	if rev == "" || !strings.HasPrefix(v, "(devel)") {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v += " " + rev
	if at != "" {
		v += " " + at
	}
	if modified {
		v += " modified"
	}
	return v
}
