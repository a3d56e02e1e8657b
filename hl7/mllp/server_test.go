package mllp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// rawConn is a test sender that speaks MLLP by hand.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	rd *Reader
	wr *Writer
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, rd: NewReader(nc, 0), wr: NewWriter(nc)}
}

func (c *rawConn) send(payload string) {
	c.t.Helper()
	if err := c.wr.WriteFrame([]byte(payload)); err != nil {
		c.t.Fatal(err)
	}
}

// receive reads one response and parses it.
func (c *rawConn) receive() *hl7.Message {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	frame, err := c.rd.ReadFrame()
	if err != nil {
		c.t.Fatalf("reading response: %v", err)
	}
	m, err := hl7.Parse(frame)
	if err != nil {
		c.t.Fatalf("parsing response %q: %v", frame, err)
	}
	return m
}

// expectClosed checks that the server closed the connection. A close
// arrives as EOF, or as a reset when the server closed with bytes of ours
// still unread in its receive buffer (TCP then answers RST, not FIN).
func (c *rawConn) expectClosed() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	frame, err := c.rd.ReadFrame()
	if err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		c.t.Fatalf("ReadFrame() = %q, %v; want io.EOF or a reset from a closed connection", frame, err)
	}
}

func msgText(controlID string) string { return strings.Replace(oruText, "%s", controlID, 1) }

func TestServerAcknowledges(t *testing.T) {
	t.Parallel()
	// The handler's behaviour is chosen by PID-5.1 of the message.
	handler := func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
		switch name, _ := m.Get("PID-5.1"); name {
		case "error":
			return nil, errors.New("database down")
		case "panic":
			panic("handler bug")
		case "reply":
			return hl7.NewACK(m, hl7.AA, hl7.ACKOptions{Text: "stored as result 42"})
		}
		return nil, nil
	}
	addr := serve(t, &Server{Handler: handler})

	const msh = "MSH|^~\\&|ANALYZER|VETLAB|VETLINK|CLINIC|20261121120000||ORU^R01^ORU_R01|"
	tests := []struct {
		name      string
		payload   string
		wantCode  string // MSA-1
		wantID    string // MSA-2
		wantText  string // MSA-3
		wantErr   string // ERR-3.1
		wantApp   string // MSH-3 of the ACK: the sender's MSH-5
		wantTrig  string // MSH-9.2
		wantNoAck bool
	}{
		{name: "accepted", payload: msh + "C1|P|2.5.1\rPID|1||1||ok\r", wantCode: "AA", wantID: "C1", wantApp: "VETLINK", wantTrig: "R01"},
		{name: "handler reply", payload: msh + "C2|P|2.5.1\rPID|1||1||reply\r", wantCode: "AA", wantID: "C2", wantText: "stored as result 42", wantApp: "VETLINK", wantTrig: "R01"},
		{name: "handler error", payload: msh + "C3|P|2.5.1\rPID|1||1||error\r", wantCode: "AE", wantID: "C3", wantApp: "VETLINK", wantTrig: "R01"},
		{name: "handler panic", payload: msh + "C4|P|2.5.1\rPID|1||1||panic\r", wantCode: "AE", wantID: "C4", wantApp: "VETLINK", wantTrig: "R01"},
		{name: "unparsable body", payload: msh + "C5|P|2.5.1\rP!D|1\r", wantCode: "AR", wantID: "C5", wantErr: "102", wantApp: "VETLINK", wantTrig: "R01"},
		{name: "unparsable, other delimiters", payload: "MSH#$%\\!#ANALYZER#VETLAB#VETLINK#CLINIC#20261121120000##ORU$R01#C9#P#2.5.1\rP|D#1\r", wantCode: "AR", wantID: "C9", wantErr: "102", wantApp: "VETLINK", wantTrig: "R01"},
		{name: "not HL7 at all", payload: "GET / HTTP/1.1\r\n", wantCode: "AR", wantID: "", wantErr: "102"},
		{name: "enhanced mode, accept ACK always", payload: msh + "C6|P|2.5.1|||AL|NE\rPID|1||1||ok\r", wantCode: "CA", wantID: "C6", wantApp: "VETLINK", wantTrig: "R01"},
		{name: "enhanced mode, accept ACK on error only", payload: msh + "C7|P|2.5.1|||ER|NE\rPID|1||1||error\r", wantCode: "CE", wantID: "C7", wantApp: "VETLINK", wantTrig: "R01"},
		{name: "enhanced mode, no accept ACK", payload: msh + "C8|P|2.5.1|||NE|AL\rPID|1||1||ok\r", wantNoAck: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := dialRaw(t, addr)
			c.send(tt.payload)
			if tt.wantNoAck {
				// The next message's ACK must be the first thing to come back.
				c.send(msh + "NEXT|P|2.5.1\rPID|1||1||ok\r")
				if got := get(t, c.receive(), "MSA-2"); got != "NEXT" {
					t.Fatalf("first response is for %q, want NEXT", got)
				}
				return
			}
			ack := c.receive()
			for path, want := range map[string]string{
				"MSA-1": tt.wantCode, "MSA-2": tt.wantID, "MSA-3": tt.wantText,
				"ERR-3.1": tt.wantErr, "MSH-3": tt.wantApp, "MSH-9.1": "ACK", "MSH-9.2": tt.wantTrig,
			} {
				if got := get(t, ack, path); got != want {
					t.Errorf("%s = %q, want %q\nACK: %q", path, got, want, ack.Bytes())
				}
			}
		})
	}
}

// Messages on one connection are answered in order, and an empty frame
// (a keep-alive) is ignored.
func TestServerConnectionCarriesManyMessages(t *testing.T) {
	t.Parallel()
	addr := serve(t, &Server{Handler: func(context.Context, *hl7.Message) (*hl7.Message, error) { return nil, nil }})
	c := dialRaw(t, addr)
	c.send("")
	for i := range 5 {
		c.send(msgText(fmt.Sprintf("SEQ%d", i)))
	}
	for i := range 5 {
		if got, want := get(t, c.receive(), "MSA-2"), fmt.Sprintf("SEQ%d", i); got != want {
			t.Fatalf("response %d is for %q, want %q", i, got, want)
		}
	}
}

func TestServerHandlerContextHasPeer(t *testing.T) {
	t.Parallel()
	peers := make(chan Peer, 1)
	addr := serve(t, &Server{Handler: func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
		p, _ := PeerFromContext(ctx)
		peers <- p
		return nil, nil
	}})
	c := dialRaw(t, addr)
	c.send(msgText("P1"))
	c.receive()
	p := <-peers
	if p.RemoteAddr.String() != c.nc.LocalAddr().String() || p.TLS != nil {
		t.Errorf("Peer = %+v, want RemoteAddr %s and no TLS", p, c.nc.LocalAddr())
	}
}

// An oversized message is rejected from its MSH segment, and the connection
// goes on; a sender that never ends the frame is disconnected.
func TestServerRejectsOversizedFrame(t *testing.T) {
	t.Parallel()
	addr := serve(t, &Server{MaxFrameSize: 300, Handler: acceptAll})
	c := dialRaw(t, addr)
	c.send(msgText("BIG") + strings.Repeat("NTE|1||x\r", 50)) // 500 bytes of notes
	ack := c.receive()
	for path, want := range map[string]string{
		"MSA-1": "AR", "MSA-2": "BIG", "ERR-3.1": "104",
		"ERR-8": "message longer than the receiver's limit of 300 bytes",
		"MSH-5": "ANALYZER", "MSH-12": "2.5.1",
	} {
		if got := get(t, ack, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	c.send(msgText("SMALL"))
	if got := get(t, c.receive(), "MSA-1"); got != "AA" {
		t.Errorf("next message answered %q, want AA", got)
	}

	// A frame that never ends: rejected, then cut off after twice the limit.
	if _, err := c.nc.Write([]byte("\x0b" + msgText("ENDLESS"))); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range 100 { // far more than twice the limit
			if _, err := c.nc.Write(bytes.Repeat([]byte("NTE|1||x\r"), 10)); err != nil {
				return
			}
		}
	}()
	if got := get(t, c.receive(), "MSA-2"); got != "ENDLESS" {
		t.Errorf("rejection is for %q, want ENDLESS", got)
	}
	c.expectClosed()
}

func TestServerReadTimeoutClosesIdleConnection(t *testing.T) {
	t.Parallel()
	addr := serve(t, &Server{ReadTimeout: 50 * time.Millisecond, Handler: func(context.Context, *hl7.Message) (*hl7.Message, error) { return nil, nil }})
	c := dialRaw(t, addr)
	c.send(msgText("T1"))
	c.receive()
	start := time.Now()
	c.expectClosed()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("idle connection closed after %v, want about 50ms", d)
	}
}

// No message content in logs: the log names control IDs, sizes and
// addresses, whatever happens to the message.
func TestServerLogsNoContent(t *testing.T) {
	t.Parallel()
	const secret = "SECRETOWNER"
	var logs safeBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	addr := serve(t, &Server{Logger: logger, Handler: func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
		if id, _ := m.Get("MSH-10"); id == "LOG2" {
			return nil, fmt.Errorf("owner %s not found", secret) // an error quoting the message
		}
		if id, _ := m.Get("MSH-10"); id == "LOG3" {
			panic("bad owner " + secret)
		}
		return nil, nil
	}})
	c := dialRaw(t, addr)
	body := "PID|1||A-1||Bossie||||||||||||||||||||||||||||" + secret + "\r"
	head := "MSH|^~\\&|ANALYZER|VETLAB|VETLINK|CLINIC|20261121120000||ORU^R01|"
	for _, payload := range []string{
		head + "LOG1|P|2.5.1\r" + body,              // accepted
		head + "LOG2|P|2.5.1\r" + body,              // handler error
		head + "LOG3|P|2.5.1\r" + body,              // handler panic
		head + "LOG4|P|2.5.1\r" + secret + "|x\r",   // bad segment ID holding the secret
		head + "LOG5|P|2.5.1||||||" + secret + "\r", // unknown character set named by the secret
		secret + "|not a message\r",                 // not HL7 at all
	} {
		c.send(payload)
		c.receive()
	}
	c.send(strings.Repeat(secret, 2)) // not HL7, once more
	c.receive()
	c.nc.Close()
	waitFor(t, func() bool { return strings.Contains(logs.String(), "closed by peer") })

	out := logs.String()
	if strings.Contains(out, secret) || strings.Contains(out, "Bossie") {
		t.Errorf("log holds message content:\n%s", out)
	}
	for _, id := range []string{"LOG1", "LOG2", "LOG3", "LOG4", "LOG5"} {
		if !strings.Contains(out, `"control_id":"`+id+`"`) {
			t.Errorf("log lacks control ID %s:\n%s", id, out)
		}
	}
	if !strings.Contains(out, `"remote":"`+c.nc.LocalAddr().String()+`"`) {
		t.Errorf("log lacks the remote address:\n%s", out)
	}
}

func TestServerShutdownLetsMessagesFinish(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	release := make(chan struct{})
	srv := &Server{Handler: func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
		if id, _ := m.Get("MSH-10"); id == "SLOW" {
			close(entered)
			<-release
		}
		return nil, nil
	}}
	addr := serve(t, srv)
	busy := dialRaw(t, addr)
	idle := dialRaw(t, addr)
	idle.send(msgText("IDLE"))
	idle.receive()
	busy.send(msgText("SLOW"))
	<-entered

	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(context.Background()) }()
	idle.expectClosed() // idle connections close at once
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown() = %v while a message was being handled", err)
	case <-time.After(50 * time.Millisecond):
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("new connection accepted during shutdown")
	}
	close(release)
	if got := get(t, busy.receive(), "MSA-1"); got != "AA" {
		t.Errorf("in-flight message answered %q, want AA", got)
	}
	busy.expectClosed()
	if err := <-shutdown; err != nil {
		t.Fatalf("Shutdown() = %v", err)
	}
}

func TestServerShutdownDeadlineCancelsHandlers(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	handlerErr := make(chan error, 1)
	srv := &Server{Handler: func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
		close(entered)
		<-ctx.Done()
		handlerErr <- ctx.Err()
		return nil, ctx.Err()
	}}
	addr := serve(t, srv)
	c := dialRaw(t, addr)
	c.send(msgText("STUCK"))
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown() = %v, want context.DeadlineExceeded", err)
	}
	if err := <-handlerErr; !errors.Is(err, context.Canceled) {
		t.Errorf("handler context error = %v, want context.Canceled", err)
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.rd.ReadFrame(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("after Shutdown's deadline the connection is still open: %v", err)
	}
}

func TestServeAfterShutdown(t *testing.T) {
	t.Parallel()
	srv := &Server{Handler: func(context.Context, *hl7.Message) (*hl7.Message, error) { return nil, nil }}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(l); err != ErrServerClosed {
		t.Fatalf("Serve() after Shutdown = %v, want ErrServerClosed", err)
	}
	if err := srv.ListenAndServe(); err != ErrServerClosed {
		t.Fatalf("ListenAndServe() after Shutdown = %v, want ErrServerClosed", err)
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 5s")
}

// safeBuffer is a bytes.Buffer for concurrent log writes.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
