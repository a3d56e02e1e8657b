package openapi

import (
	"net/http"
	"strings"
)

// conflictingPattern is the one path of the VCPR contract that Go's
// ServeMux refuses: GET /api/protocols/{id}/prescriptions overlaps
// /api/protocols/promises/{id} and /api/protocols/prescriptions/{id}
// (each matches /api/protocols/promises/prescriptions, and neither is
// more specific), so registering all three panics. The contract cannot
// change; protocol IDs are integers, so apiMux routes this one path itself
// when its middle segment is all digits, which neither "promises" nor
// "prescriptions" is.
const conflictingPattern = http.MethodGet + " /api/protocols/{id}/prescriptions"

// apiMux is the ServeMux the generated code registers its routes on.
type apiMux struct {
	mux                     *http.ServeMux
	prescriptionsOfProtocol http.HandlerFunc
}

func newAPIMux() *apiMux { return &apiMux{mux: http.NewServeMux()} }

// HandleFunc registers handler for pattern, keeping the conflicting one
// aside.
func (m *apiMux) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	if pattern == conflictingPattern {
		m.prescriptionsOfProtocol = handler
		return
	}
	m.mux.HandleFunc(pattern, handler)
}

func (m *apiMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.prescriptionsOfProtocol != nil && r.Method == http.MethodGet {
		if id, ok := protocolIDOfPrescriptions(r.URL.Path); ok {
			r.SetPathValue("id", id)
			m.prescriptionsOfProtocol(w, r)
			return
		}
	}
	m.mux.ServeHTTP(w, r)
}

// protocolIDOfPrescriptions matches /api/protocols/<digits>/prescriptions.
func protocolIDOfPrescriptions(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/api/protocols/")
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/prescriptions")
	if !ok || id == "" || len(id) > 19 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return "", false
		}
	}
	return id, true
}
