package jobs_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/mllp"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
)

const instrumentResult = "MSH|^~\\&|CHEM|VETLAB|PMS|CLINIC|20261121093000||ORU^R01^ORU_R01|CHEM-0042|P|2.5.1|||AL|NE\r" +
	"PID|1||A-10442^^^RIVERSIDE^PI||Rex\r" +
	"OBR|1||LAB-99120|GLU^Glucose^L\r" +
	"OBX|1|NM|2345-7^Glucose^LN||412|mg/dL^^UCUM||H|||F\r"

// startListener runs one listener job on a loopback port and returns its
// address and a function that stops the run and returns its error.
func startListener(t *testing.T, st jobs.HL7Store, now time.Time) (string, func() error) {
	t.Helper()
	addr := make(chan string, 1)
	kind := jobs.MLLPListenerKind(st, jobs.MLLPListenerOptions{
		Listen: func(network, _ string) (net.Listener, error) {
			l, err := net.Listen(network, "127.0.0.1:0")
			if err == nil {
				addr <- l.Addr().String()
			}
			return l, err
		},
		Now: func() time.Time { return now },
	})
	settings := kind.Defaults
	settings.Source = "chem-analyzer"
	require.NoError(t, settings.Validate())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- kind.Run(ctx, vetview.RunInfo{Job: vetview.Job{ID: uuid.New(), Name: "Chemistry analyzer"}}, settings)
	}()
	select {
	case a := <-addr:
		return a, func() error { cancel(); return <-done }
	case err := <-done:
		cancel()
		t.Fatalf("listener run ended early: %v", err)
		return "", nil
	}
}

func send(t *testing.T, addr, er7 string) (*hl7.Message, error) {
	t.Helper()
	m, err := hl7.Parse([]byte(er7))
	require.NoError(t, err)
	c := &mllp.Client{Addr: addr, ReadTimeout: 5 * time.Second, MaxAttempts: 3}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Send(ctx, m)
}

func TestMLLPListenerStoresAndAcknowledges(t *testing.T) {
	db := storetest.SQLite(t)
	st := db.HL7()
	received := time.Date(2026, 11, 21, 15, 30, 0, 0, time.UTC)
	addr, stop := startListener(t, st, received)

	ack, err := send(t, addr, instrumentResult)
	require.NoError(t, err)
	code, _ := ack.Get("MSA-1")
	require.Equal(t, "CA", code) // enhanced mode: MSH-15 AL asks for a commit ACK
	id, _ := ack.Get("MSA-2")
	require.Equal(t, "CHEM-0042", id)

	// The instrument lost our ACK and sends again: acknowledged, stored once.
	ack, err = send(t, addr, instrumentResult)
	require.NoError(t, err)
	code, _ = ack.Get("MSA-1")
	require.Equal(t, "CA", code)

	require.NoError(t, stop())
	got, err := st.InboundMessages(context.Background(), "chem-analyzer", received, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, instrumentResult, string(got[0].Data))
	require.Equal(t, "CHEM", got[0].SendingApplication)
	require.Equal(t, "VETLAB", got[0].SendingFacility)
	require.Equal(t, "CHEM-0042", got[0].ControlID)
	require.Equal(t, "ORU^R01", got[0].MessageType)
	require.Equal(t, received, got[0].ReceivedAt)
	require.Contains(t, got[0].RemoteAddr, "127.0.0.1:")
}

// When the message cannot be stored the instrument gets a negative ACK,
// so it keeps the result and sends it again later.
func TestMLLPListenerNegativeAckWhenStoreFails(t *testing.T) {
	db := storetest.SQLite(t)
	addr, stop := startListener(t, db.HL7(), time.Now())
	defer func() { require.NoError(t, stop()) }()
	require.NoError(t, db.Close())

	ack, err := send(t, addr, instrumentResult)
	var nak *mllp.NegativeAckError
	require.True(t, errors.As(err, &nak), "err = %v", err)
	code, _ := ack.Get("MSA-1")
	require.Equal(t, "CE", code)
}

func TestMLLPListenerSettings(t *testing.T) {
	tests := []struct {
		name string
		s    jobs.MLLPListenerSettings
		ok   bool
	}{
		{"defaults", jobs.MLLPListenerKind(nil, jobs.MLLPListenerOptions{}).Defaults, true},
		{"no address", jobs.MLLPListenerSettings{WindowMinutes: 1}, false},
		{"no window", jobs.MLLPListenerSettings{Addr: ":2575"}, false},
		{"key without certificate", jobs.MLLPListenerSettings{Addr: ":2575", WindowMinutes: 1, KeyFile: "k.pem"}, false},
		{"client CA without certificate", jobs.MLLPListenerSettings{Addr: ":2575", WindowMinutes: 1, ClientCAFile: "ca.pem"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.ok, tt.s.Validate() == nil)
		})
	}
}

// The kind registers in a vetview registry like any other.
func TestHL7KindsRegister(t *testing.T) {
	var r vetview.Registry
	require.NoError(t, vetview.Register(&r, jobs.MLLPListenerKind(nil, jobs.MLLPListenerOptions{})))
	require.NoError(t, vetview.Register(&r, jobs.NAHLNReportKind(nil, jobs.NAHLNOptions{})))
	require.NoError(t, r.ValidateSettings("nahln-report", []byte(`{"url":"https://nahln.example/receive","batch":5,"maxAttempts":3,"retryMinutes":1}`)))
	require.Error(t, r.ValidateSettings("nahln-report", []byte(`{"url":"ftp://x","batch":5,"maxAttempts":3,"retryMinutes":1}`)))
	require.Error(t, r.ValidateSettings("hl7-mllp-listener", []byte(`{"addr":"","windowMinutes":1,"readTimeoutSeconds":0}`)))
}
