package main

import (
	"fmt"
	"slices"
	"strings"
)

// roles says what a server does, as VetView's servers have roles: several
// servers share one database, and each is told which parts to run. The
// zero value runs everything, the default.
//
//	api         serve the HTTP API (/api/..., the document, the docs page)
//	jobs        run the vetview scheduler: the jobs assigned to this
//	            server's name (-name)
//	dispatcher  deliver webhooks and the mail outbox
//
// /healthz, /readyz and /metrics are served whatever the roles, so that an
// internal interface server (jobs,dispatcher) can be watched too.
type roles struct {
	noAPI, noJobs, noDispatcher bool
}

// The role names of -roles.
const (
	roleAPI        = "api"
	roleJobs       = "jobs"
	roleDispatcher = "dispatcher"
)

var roleNames = []string{roleAPI, roleJobs, roleDispatcher}

// parseRoles reads a comma-separated list of roles; "" and "all" mean all.
func parseRoles(s string) (roles, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return roles{}, nil
	}
	r := roles{noAPI: true, noJobs: true, noDispatcher: true}
	for name := range strings.SplitSeq(s, ",") {
		switch strings.TrimSpace(strings.ToLower(name)) {
		case roleAPI:
			r.noAPI = false
		case roleJobs:
			r.noJobs = false
		case roleDispatcher:
			r.noDispatcher = false
		case "all":
			return roles{}, nil
		default:
			return roles{}, fmt.Errorf("roles %q: unknown role %q; the roles are %s, or all", s, strings.TrimSpace(name), strings.Join(roleNames, ", "))
		}
	}
	return r, nil
}

func (r roles) api() bool        { return !r.noAPI }
func (r roles) jobs() bool       { return !r.noJobs }
func (r roles) dispatcher() bool { return !r.noDispatcher }

// String lists the roles as -roles takes them.
func (r roles) String() string {
	var names []string
	for _, n := range roleNames {
		if (n == roleAPI && r.api()) || (n == roleJobs && r.jobs()) || (n == roleDispatcher && r.dispatcher()) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(slices.Clip(names), ",")
}
