package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

func TestReceiver(t *testing.T) {
	secret := webhook.NewSecret()
	var logs bytes.Buffer
	h, err := newHandler(secret, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})))
	require.NoError(t, err)
	key, _ := webhook.ParseKey(secret)
	signer, _ := webhook.NewSigner(key)

	post := func(id, body string, sign bool) int {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/vetlink", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sign {
			signer.SignHeader(req.Header, id, time.Now(), []byte(body))
		} else {
			req.Header.Set("webhook-id", id)
			req.Header.Set("webhook-timestamp", "1")
			req.Header.Set("webhook-signature", "v1,forged")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusNoContent, post("msg_1", "consultation_id=123", true))
	require.Equal(t, http.StatusNoContent, post("msg_1", "consultation_id=123", true))
	require.Equal(t, http.StatusUnauthorized, post("msg_2", "consultation_id=666", false))
	require.Equal(t, `level=INFO msg=delivery webhook_id=msg_1 content_type=application/x-www-form-urlencoded body="consultation_id=123"
level=INFO msg="duplicate delivery ignored" webhook_id=msg_1
`, logs.String())
}

func TestNewHandlerErrors(t *testing.T) {
	_, err := newHandler("", slog.Default())
	require.EqualError(t, err, "set VETLINK_WEBHOOK_SECRET to the subscription's whsec_ secret (or whpk_ public key)")
	_, err = newHandler("whsec_AAAA", slog.Default())
	require.EqualError(t, err, "webhook: whsec_ key: 3 bytes, must be between 16 and 64")
}
