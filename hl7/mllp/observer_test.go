package mllp

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// events records the MessageEvents a Server reports.
type events struct {
	mu  sync.Mutex
	got []MessageEvent
}

func (e *events) MessageAnswered(ev MessageEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, ev)
}

func (e *events) snapshot() []MessageEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]MessageEvent(nil), e.got...)
}

func TestObserverSeesEveryAnswerWithItsCode(t *testing.T) {
	obs := &events{}
	srv := &Server{
		Name:         "lab-1",
		Observer:     obs,
		MaxFrameSize: 1024,
		Handler: func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
			if m.Header().ControlID == "FAIL" {
				return nil, errors.New("storage down")
			}
			return nil, nil
		},
	}
	addr := serve(t, srv)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	wr, rd := NewWriter(conn), NewReader(conn, 0)

	tests := []struct {
		name  string
		frame string
		code  string
	}{
		{"stored", strings.Replace(oruText, "%s", "OK-1", 1), "AA"},
		{"handler error", strings.Replace(oruText, "%s", "FAIL", 1), "AE"},
		{"unparsable", "MSH|^~\\&|A|B|C|D|20261121120000||ORU^R01|BAD-1|P|2.5.1\rpid|1\r", "AR"},
		{"too large", strings.Replace(oruText, "%s", "BIG-1", 1) + "NTE|1||" + strings.Repeat("x", 2000) + "\r", "AR"},
	}
	for _, tt := range tests {
		if err := wr.WriteFrame([]byte(tt.frame)); err != nil {
			t.Fatalf("%s: write: %v", tt.name, err)
		}
		resp, err := rd.ReadFrame()
		if err != nil {
			t.Fatalf("%s: read ACK: %v", tt.name, err)
		}
		if got := msaCode(resp); got != tt.code {
			t.Fatalf("%s: ACK %q, want MSA-1 %s", tt.name, resp, tt.code)
		}
	}
	got := obs.snapshot()
	if len(got) != len(tests) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		e := got[i]
		if e.Listener != "lab-1" || e.Code != tt.code || !e.Written || e.Size <= 0 || e.Duration <= 0 {
			t.Errorf("%s: event %+v, want listener lab-1, code %s, written, a size and a duration", tt.name, e, tt.code)
		}
	}
}

func TestObserverListenerDefaultsToLocalAddress(t *testing.T) {
	obs := &events{}
	srv := &Server{Observer: obs, Handler: func(context.Context, *hl7.Message) (*hl7.Message, error) { return nil, nil }}
	addr := serve(t, srv)
	c := &Client{Addr: addr}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Send(ctx, message(t, "C-1")); err != nil {
		t.Fatal(err)
	}
	// The event is reported after the write: wait for it.
	deadline := time.Now().Add(5 * time.Second)
	for len(obs.snapshot()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := obs.snapshot()
	if len(got) != 1 || got[0].Listener != addr || got[0].Code != "AA" {
		t.Fatalf("events %+v, want one AA on listener %s", got, addr)
	}
}

func TestMSACode(t *testing.T) {
	tests := []struct {
		name, msg, want string
	}{
		{"AA", "MSH|^~\\&|A|B\rMSA|AA|X-1\r", "AA"},
		{"other separators", "MSH#^~\\&#A#B\rMSA#CE#X-1\r", "CE"},
		{"LF terminators", "MSH|^~\\&|A\nMSA|AR|X\n", "AR"},
		{"no trailing terminator", "MSH|^~\\&|A\rMSA|AE", "AE"},
		{"component dropped", "MSH|^~\\&|A\rMSA|AA^x|X\r", "AA"},
		{"no MSA", "MSH|^~\\&|A\rPID|1\r", ""},
		{"not HL7", "hello", ""},
		{"empty", "", ""},
		{"MSA-like segment", "MSH|^~\\&|A\rMSAX|AA\r", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := msaCode([]byte(tt.msg)); got != tt.want {
				t.Errorf("msaCode(%q) = %q, want %q", tt.msg, got, tt.want)
			}
		})
	}
}

func FuzzMSACode(f *testing.F) {
	f.Add([]byte("MSH|^~\\&|A|B\rMSA|AA|X-1\r"))
	f.Add([]byte("MSH|"))
	f.Add([]byte("MSH|^~\\&\rMSA|"))
	f.Fuzz(func(t *testing.T, b []byte) {
		code := msaCode(b)
		if code != "" && !strings.Contains(string(b), code) {
			t.Fatalf("msaCode(%q) = %q, not in the message", b, code)
		}
	})
}
