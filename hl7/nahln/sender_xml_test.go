package nahln_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

// TestSenderNamespaceAndContentType checks what a Sender posts: by default
// a document element without a namespace and Content-Type text/xml, as
// NAHLN-O-MATIC sends; the namespace and the type by option.
func TestSenderNamespaceAndContentType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		namespace bool
		ctype     string
		wantNS    bool
		wantCType string
	}{
		{"default", false, "", false, "text/xml"},
		{"namespace", true, "", true, "text/xml"},
		{"content type", false, "application/xml; charset=utf-8", false, "application/xml; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var gotBody []byte
			var gotType string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotBody, _ = io.ReadAll(r.Body)
				gotType = r.Header.Get("Content-Type")
				m, err := v2xml.Unmarshal(gotBody)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				ack, _ := hl7.NewACK(m, hl7.AA, hl7.ACKOptions{})
				x, _ := v2xml.Marshal(ack)
				_, _ = w.Write(x)
			}))
			defer srv.Close()
			m, err := nahln.Build(sampleReport())
			if err != nil {
				t.Fatal(err)
			}
			s := &nahln.Sender{URL: srv.URL, Namespace: tt.namespace, ContentType: tt.ctype}
			ack, err := s.Send(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			if !ack.Accepted() {
				t.Errorf("not accepted: %+v", ack)
			}
			if gotType != tt.wantCType {
				t.Errorf("Content-Type = %q, want %q", gotType, tt.wantCType)
			}
			if has := bytes.Contains(gotBody, []byte(`<OPU_R25 xmlns="`+v2xml.Namespace+`">`)); has != tt.wantNS {
				t.Errorf("namespace declared = %v, want %v:\n%.200s", has, tt.wantNS, gotBody)
			}
			if !bytes.Contains(gotBody, []byte("<OPU_R25")) {
				t.Errorf("no OPU_R25 document element:\n%.200s", gotBody)
			}
		})
	}
}
