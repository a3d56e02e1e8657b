package openapi_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	vmail "github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/mail/mailtest"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// mailEnv is a testEnv whose API has an outbox delivering to a loopback
// SMTP server.
type mailEnv struct {
	*testEnv
	Outbox *vmail.Outbox
	SMTP   *mailtest.SMTPServer
}

func newMailEnv(t *testing.T, db *store.DB) *mailEnv {
	t.Helper()
	e := newTestEnv(t, db)
	srv := mailtest.NewSMTPServer(t)
	rxs := &rx.Service{Store: db.Rx()}
	sites := &site.Service{Store: db.Site()}
	ob := &vmail.Outbox{
		Store:   db.Mail(),
		Sender:  &vmail.SMTP{Addr: srv.Addr, Username: srv.User, Password: srv.Password, TLSConfig: &tls.Config{RootCAs: srv.Roots}},
		From:    netmail.Address{Name: "vetlink", Address: "noreply@vetlink.example"},
		Policy:  vmail.Policy{Backoff: []time.Duration{time.Millisecond}},
		Resolve: (&openapi.Documents{Rx: rxs, Site: sites}).Resolve,
	}
	h, err := openapi.NewHandler(openapi.Config{
		DB: db, Rx: rxs, Library: &rx.Library{Store: db.Library()}, Site: sites, Auth: e.Auth,
		Webhooks: &webhook.Service{Store: db.Webhooks()}, Outbox: ob, PublicURL: "https://vetlink.example",
	})
	require.NoError(t, err)
	hs := httptest.NewServer(validatingResponses(t, h))
	t.Cleanup(hs.Close)
	e.URL = hs.URL
	return &mailEnv{testEnv: e, Outbox: ob, SMTP: srv}
}

// deliver runs the outbox once and returns how many mails it tried.
func (m *mailEnv) deliver(t *testing.T) int {
	t.Helper()
	n, err := m.Outbox.DeliverDue(context.Background())
	require.NoError(t, err)
	return n
}

// parsed is a mail as the SMTP server received it.
type parsed struct {
	To, Subject, Text string
	PDF               []byte
	PDFName           string
}

func parseMail(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	var dec mime.WordDecoder
	var p parsed
	p.To = msg.Header.Get("To")
	p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	if mt == "text/plain" {
		b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		require.NoError(t, err)
		p.Text = string(b)
		return p
	}
	require.Equal(t, "multipart/mixed", mt)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	text, err := mr.NextPart()
	require.NoError(t, err)
	b, err := io.ReadAll(text)
	require.NoError(t, err)
	p.Text = string(b)
	att, err := mr.NextPart()
	require.NoError(t, err)
	p.PDFName = att.FileName()
	b64, err := io.ReadAll(att)
	require.NoError(t, err)
	p.PDF, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b64)))
	require.NoError(t, err)
	return p
}

func TestPrescribeMailsThePDF(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		vor, mor := e.user(t, rx.VOR, "vormail"), e.user(t, rx.MOR, "mormail")
		e.relate(t, rx.Client, vor, mor)

		code, body := e.do(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{
			Protocol: flunixin(t), MOR: mor.ID, Refills: 2, EmailToClient: true, EmailToVOR: true})
		require.Equal(t, http.StatusCreated, code, "%s", body)
		require.NotContains(t, string(body), "pdfError")
		var p rx.Prescription
		require.NoError(t, json.Unmarshal(member(t, body, "prescription"), &p))

		require.Equal(t, 1, e.deliver(t))
		mails := e.SMTP.Mails()
		require.Len(t, mails, 1)
		require.Equal(t, []string{mor.Email, vor.Email}, mails[0].To)
		m := parseMail(t, mails[0].Data)
		require.Equal(t, "Prescription "+p.ID+": Flunixin for acute pain and fever", m.Subject)
		require.Contains(t, m.Text, "vormail Test has prescribed \"Flunixin for acute pain and fever\" to mormail Test.")
		require.Equal(t, "prescription-"+p.ID+".pdf", m.PDFName)
		text := pdfText(t, m.PDF)
		require.Contains(t, text, "Prescription "+p.ID+" - PRESCRIBED")
		require.Contains(t, text, "Refills: 2 (two) refills; 3 (three) fills in all, 0 used")

		// No flag, no mail.
		code, body = e.do(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: flunixin(t), MOR: mor.ID})
		require.Equal(t, http.StatusCreated, code, "%s", body)
		require.Zero(t, e.deliver(t))
	})
}

// An extra-label prescription from a VOR without an address cannot carry
// the label 21 CFR 530.12 requires: it is stored, pdfError says why, and
// its mail waits in the outbox until the document can be made.
func TestPrescribePDFErrorMailRetried(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newMailEnv(t, db)
		vor, mor := e.user(t, rx.VOR, "vornoaddr"), e.user(t, rx.MOR, "morfarm")
		e.relate(t, rx.Client, vor, mor)
		px := flunixin(t)
		px.Treatments[0].Amduca = protocol.OffLabel

		code, body := e.do(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: px, MOR: mor.ID, EmailToClient: true})
		require.Equal(t, http.StatusCreated, code, "%s", body)
		var pdfErr openapi.Problem
		require.NoError(t, json.Unmarshal(member(t, body, "pdfError"), &pdfErr))
		require.Equal(t, http.StatusUnprocessableEntity, pdfErr.Status)
		require.Contains(t, pdfErr.Detail, "needs the prescriber's address on its label (21 CFR 530.12(a))")
		var p rx.Prescription
		require.NoError(t, json.Unmarshal(member(t, body, "prescription"), &p))
		code, _ = e.do(t, mor, http.MethodGet, "/api/prescriptions/"+p.ID+"/", nil)
		require.Equal(t, http.StatusOK, code, "the prescription is stored")

		require.Equal(t, 1, e.deliver(t))
		require.Empty(t, e.SMTP.Mails(), "not sent without its PDF")
		ms, err := db.Mail().MailByKind(ctx, "prescription")
		require.NoError(t, err)
		require.Len(t, ms, 1)
		require.Equal(t, vmail.Pending, ms[0].State)
		require.Contains(t, ms[0].LastError, "530.12(a)")

		require.NoError(t, db.Site().SaveAddress(ctx, site.Address{UserID: vor.ID, Address1: "12 Barn Road", Town: "Ithaca", State: "NY", Zip: "14850"}))
		time.Sleep(5 * time.Millisecond) // the backoff
		require.Equal(t, 1, e.deliver(t))
		mails := e.SMTP.Mails()
		require.Len(t, mails, 1)
		text := pdfText(t, parseMail(t, mails[0].Data).PDF)
		require.Contains(t, text, "(a) Prescriber: vornoaddr Test, 12 Barn Road, Ithaca, NY 14850")
	})
}

func TestGetPrescriptionPDF(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		vor, mor, other := e.user(t, rx.VOR, "vorpdf1"), e.user(t, rx.MOR, "morpdf1"), e.user(t, rx.VOR, "vorpdf2")
		e.relate(t, rx.Client, vor, mor)
		code, body := e.do(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: flunixin(t), MOR: mor.ID})
		require.Equal(t, http.StatusCreated, code, "%s", body)
		var p rx.Prescription
		require.NoError(t, json.Unmarshal(member(t, body, "prescription"), &p))

		get := func(u *testUser, accept string) (int, string, []byte) {
			req, err := http.NewRequest(http.MethodGet, e.URL+"/api/prescriptions/"+p.ID+"/", nil)
			require.NoError(t, err)
			req.Header.Set(openapi.APIKeyHeader, e.APIKey)
			req.Header.Set(openapi.AuthTokenHeader, u.Token)
			req.Header.Set("Accept", accept)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			return resp.StatusCode, resp.Header.Get("Content-Type"), b
		}
		tests := []struct {
			name, accept string
			user         *testUser
			status       int
			contentType  string
		}{
			{"VOR asks for PDF", "application/pdf", vor, http.StatusOK, "application/pdf"},
			{"MOR prefers PDF", "application/json;q=0.5, application/pdf", mor, http.StatusOK, "application/pdf"},
			{"JSON preferred", "application/json, application/pdf;q=0.8", mor, http.StatusOK, "application/json"},
			{"no Accept", "", vor, http.StatusOK, "application/json"},
			{"PDF refused", "application/pdf;q=0", vor, http.StatusOK, "application/json"},
			{"other VOR may not read it", "application/pdf", other, http.StatusForbidden, "application/problem+json"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				code, ct, b := get(tt.user, tt.accept)
				require.Equal(t, tt.status, code, "%s", b)
				require.Equal(t, tt.contentType, strings.Split(ct, ";")[0])
				if tt.contentType == "application/pdf" {
					require.Contains(t, pdfText(t, b), "Client morpdf1 Test")
				}
			})
		}

		// An extra-label use whose VOR has no address cannot be labeled
		// (21 CFR 530.12(a)): 422 naming the rule, not a 500.
		px := flunixin(t)
		px.Treatments[0].Amduca = protocol.OffLabel
		code, body = e.do(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: px, MOR: mor.ID})
		require.Equal(t, http.StatusCreated, code, "%s", body)
		require.NoError(t, json.Unmarshal(member(t, body, "prescription"), &p))
		code, ct, b := get(vor, "application/pdf")
		require.Equal(t, http.StatusUnprocessableEntity, code, "%s", b)
		require.Equal(t, "application/problem+json", ct)
		require.Contains(t, string(b), "needs the prescriber's address on its label (21 CFR 530.12(a))")
	})
}

func TestMessageAndCommentMail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		vor, mor := e.user(t, rx.VOR, "vormsg1"), e.user(t, rx.MOR, "mormsg1")
		e.relate(t, rx.Client, vor, mor)

		msg := map[string]any{"_type": "models.SimpleMessage", "from": vor.ID, "to": mor.ID, "subject": "Recheck Bossie34 — Thursday",
			"message": "<p>Please keep <b>Bossie34</b> in the barn.</p>"}
		code, body := e.do(t, vor, http.MethodPost, "/api/messages", msg)
		require.Equal(t, http.StatusOK, code, "%s", body)
		code, body = e.do(t, mor, http.MethodPost, "/api/users/comments", map[string]any{"userId": mor.ID, "comment": "The withdrawal page is great."})
		require.Equal(t, http.StatusOK, code, "%s", body)

		require.Equal(t, 2, e.deliver(t))
		mails := e.SMTP.Mails()
		require.Len(t, mails, 2)
		byTo := map[string]parsed{}
		for _, m := range mails {
			byTo[m.To[0]] = parseMail(t, m.Data)
		}
		got := byTo[mor.Email]
		require.Equal(t, "Recheck Bossie34 — Thursday", got.Subject)
		require.Contains(t, got.Text, "vormsg1 Test sent you a message on vetlink:")
		require.Contains(t, got.Text, "Please keep Bossie34 in the barn.")
		admin := byTo[e.Admin.Email]
		require.Equal(t, "vetlink: a user comment", admin.Subject)
		require.Contains(t, admin.Text, "mormsg1 Test (mormsg1, user ")
		require.Contains(t, admin.Text, "The withdrawal page is great.")
	})
}

// pdfText reads a PDF's text back with pdftotext, white space collapsed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed; .ci/run installs it")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(f, pdf, 0o644))
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", f, "-").Output()
	require.NoError(t, err)
	return strings.Join(strings.Fields(string(out)), " ")
}

// A question mailed with a message is answered once, through a link of
// its mail, and the answer is listed by getMessages.
func TestMessageQuestionAnsweredByLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		vor, mor := e.user(t, rx.VOR, "vorask1"), e.user(t, rx.MOR, "morask1")
		e.relate(t, rx.Client, vor, mor)
		msg := map[string]any{"_type": "models.SimpleMessage", "from": vor.ID, "to": mor.ID,
			"subject": "May I visit on Thursday?", "message": "For the herd check."}
		code, body := e.do(t, vor, http.MethodPost, "/api/messages?modes=EMAIL&ask=true", msg)
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.Equal(t, 1, e.deliver(t))
		mails := e.SMTP.Mails()
		require.Len(t, mails, 1)
		text := parseMail(t, mails[0].Data).Text
		yes := regexp.MustCompile(`Yes: (https://vetlink\.example/messages/ok/([A-Za-z0-9_-]{43})/\?response=true)`).FindStringSubmatch(text)
		require.NotNil(t, yes, text)
		no := regexp.MustCompile(`No:  https://vetlink\.example/messages/ok/` + yes[2] + `/\?response=false`).FindString(text)
		require.NotEmpty(t, no, "the same token answers no")

		list := func(u *testUser, query string) []site.SentMessage {
			t.Helper()
			code, body := e.do(t, u, http.MethodGet, "/api/messages"+query, nil)
			require.Equal(t, http.StatusOK, code, "%s", body)
			var out []site.SentMessage
			require.NoError(t, json.Unmarshal(member(t, body, "messages"), &out))
			return out
		}
		before := list(mor, "")
		require.Len(t, before, 1)
		require.True(t, before[0].Ask)
		require.Nil(t, before[0].Answer, "not answered yet")

		path := "/messages/ok/" + yes[2] + "/?response=true"
		code, body = e.do(t, nil, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.Contains(t, string(body), "Your answer (yes)")
		code, _ = e.do(t, nil, http.MethodGet, "/messages/ok/"+yes[2]+"/?response=false", nil)
		require.Equal(t, http.StatusConflict, code, "single use: the first answer stands")

		after := list(vor, "?userId="+strconv.FormatInt(int64(vor.ID), 10))
		require.Len(t, after, 1)
		require.NotNil(t, after[0].Answer)
		require.True(t, *after[0].Answer)
		require.False(t, after[0].Answered.IsZero())
		code, _ = e.do(t, mor, http.MethodGet, "/api/messages?userId="+strconv.FormatInt(int64(vor.ID), 10), nil)
		require.Equal(t, http.StatusForbidden, code, "only the user or the SAOR")

		// Without ask, no links.
		code, body = e.do(t, vor, http.MethodPost, "/api/messages", msg)
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.Equal(t, 1, e.deliver(t))
		require.NotContains(t, parseMail(t, e.SMTP.Mails()[1].Data).Text, "/messages/ok/")
	})
}

// TestInvitationMailCommitsWithTheUser: with the outbox as the API's
// mailer, an invitation's mail is written in the transaction that makes
// the user and issues the token, so it is in the outbox the moment the
// request answers, and a refused invitation leaves none.
func TestInvitationMailCommitsWithTheUser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newMailEnv(t, db)
		vet := e.user(t, rx.VOR, "vetinvite")
		ctx := context.Background()

		code, body := e.do(t, vet, http.MethodPost, "/api/users/my-right-relations?relationship=CLIENT&usertype=MOR",
			rx.User{Uname: "oakfarm1", Type: rx.MOR, Firstname: "Olive", Lastname: "Oak", Email: "oak@example.org"})
		require.Equal(t, http.StatusOK, code, "%s", body)
		queued, err := db.Mail().MailByKind(ctx, "account")
		require.NoError(t, err)
		require.Len(t, queued, 1, "queued in the request's transaction, before any worker ran")
		require.Equal(t, "oak@example.org", queued[0].Message.To[0].Address)
		require.Contains(t, queued[0].Message.Text, "/api/users/token/")

		// The same user name again is refused: no user, no token, no mail.
		code, body = e.do(t, vet, http.MethodPost, "/api/users/my-right-relations?relationship=CLIENT&usertype=MOR",
			rx.User{Uname: "oakfarm1", Type: rx.MOR, Firstname: "Olive", Lastname: "Oak", Email: "oak2@example.org"})
		require.NotEqual(t, http.StatusOK, code, "%s", body)
		queued, err = db.Mail().MailByKind(ctx, "account")
		require.NoError(t, err)
		require.Len(t, queued, 1, "the refused invitation's mail rolled back with it")

		require.Equal(t, 1, e.deliver(t))
		got := e.SMTP.Mails()
		require.Len(t, got, 1)
		require.Equal(t, []string{"oak@example.org"}, got[0].To)
		require.Contains(t, parseMail(t, got[0].Data).Text, "oakfarm1")
	})
}
