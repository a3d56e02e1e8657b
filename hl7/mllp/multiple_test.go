package mllp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// TestServerSeveralMessagesInOneFrame sends frames holding more than one
// message over a loopback socket and checks that each message is handled
// and answered in order, or, with RejectMultipleMessages, that the frame
// gets one rejection and no handler runs.
func TestServerSeveralMessagesInOneFrame(t *testing.T) {
	t.Parallel()
	msh := func(id string) string {
		return "MSH|^~\\&|LAB|VETLAB|PMS|CLINIC|20261121||ORU^R01^ORU_R01|" + id + "|P|2.5.1"
	}
	const body = "PID|1||P1||Bossie\rOBX|1|ST|NOTE^Note^L||MSH in a value\r"
	type answer struct{ code, id string }
	tests := []struct {
		name    string
		frame   string
		lenient bool
		reject  bool
		want    []answer
		handled []string // control IDs the handler sees, in order
	}{
		{
			name:    "two messages",
			frame:   msh("M1") + "\r" + body + msh("M2") + "\r" + body,
			want:    []answer{{"AA", "M1"}, {"AA", "M2"}},
			handled: []string{"M1", "M2"},
		},
		{
			name:    "two bare headers",
			frame:   msh("M1") + "\r" + msh("M2"),
			want:    []answer{{"AA", "M1"}, {"AA", "M2"}},
			handled: []string{"M1", "M2"},
		},
		{
			name:    "three messages with LF, lenient",
			frame:   msh("L1") + "\nPID|1\n\n" + msh("L2") + "\nPID|2\n" + msh("L3") + "\n",
			lenient: true,
			want:    []answer{{"AA", "L1"}, {"AA", "L2"}, {"AA", "L3"}},
			handled: []string{"L1", "L2", "L3"},
		},
		{
			name:    "enhanced mode",
			frame:   msh("E1") + "|||AL|NE\r" + msh("E2") + "|||AL|NE\r",
			want:    []answer{{"CA", "E1"}, {"CA", "E2"}},
			handled: []string{"E1", "E2"},
		},
		{
			name:    "second message unparsable",
			frame:   msh("G1") + "\r" + body + "MSH|^~\\&|LAB|VETLAB|PMS|CLINIC|20261121||ORU^R01|B2|P|2.5.1\rpid|1\r",
			want:    []answer{{"AA", "G1"}, {"AR", "B2"}},
			handled: []string{"G1"},
		},
		{
			name:    "MSH-like segment ID is no header",
			frame:   msh("S1") + "\rMSHX|1\r",
			want:    []answer{{"AR", "S1"}},
			handled: nil,
		},
		{
			name:    "rejected by option",
			frame:   msh("R1") + "\r" + body + msh("R2") + "\r" + body,
			reject:  true,
			want:    []answer{{"AR", "R1"}},
			handled: nil,
		},
		{
			name:    "rejected by option, enhanced mode",
			frame:   msh("R1") + "|||AL|NE\r" + msh("R2") + "|||AL|NE\r",
			reject:  true,
			want:    []answer{{"CR", "R1"}},
			handled: nil,
		},
		{
			name:    "one message with the option",
			frame:   msh("O1") + "\r" + body,
			reject:  true,
			want:    []answer{{"AA", "O1"}},
			handled: []string{"O1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var handled []string
			srv := &Server{
				ParseOptions:           hl7.ParseOptions{Lenient: tt.lenient},
				RejectMultipleMessages: tt.reject,
				Handler: func(_ context.Context, m *hl7.Message) (*hl7.Message, error) {
					mu.Lock()
					handled = append(handled, m.Header().ControlID)
					mu.Unlock()
					if n := m.NumSegments(); n > 3 {
						t.Errorf("handler got %d segments: %q", n, m.Bytes())
					}
					return nil, nil
				},
			}
			c := dialRaw(t, serve(t, srv))
			c.send(tt.frame)
			for i, w := range tt.want {
				ack := c.receive()
				if code, id := get(t, ack, "MSA-1"), get(t, ack, "MSA-2"); code != w.code || id != w.id {
					t.Fatalf("answer %d = %s for %q, want %s for %q", i+1, code, id, w.code, w.id)
				}
				if tt.reject && len(tt.want) == 1 && tt.handled == nil {
					if text := get(t, ack, "ERR-8"); !strings.Contains(text, "messages; send one message per frame") {
						t.Errorf("ERR-8 = %q, want the reason", text)
					}
				}
			}
			c.nc.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			if frame, err := c.rd.ReadFrame(); err == nil {
				t.Errorf("extra answer %q", frame)
			}
			// The connection goes on: one more message is answered.
			c.send(msh("NEXT") + "\r")
			if id := get(t, c.receive(), "MSA-2"); id != "NEXT" {
				t.Errorf("next message answered for %q", id)
			}
			mu.Lock()
			defer mu.Unlock()
			want := append(append([]string(nil), tt.handled...), "NEXT")
			if strings.Join(handled, ",") != strings.Join(want, ",") {
				t.Errorf("handler saw %q, want %q", handled, want)
			}
		})
	}
}

// TestNextMessage checks where a frame is split.
func TestNextMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		frame string
		want  []string
	}{
		{"MSH|1\rPID|1\r", []string{"MSH|1\rPID|1\r"}},
		{"MSH|1\rMSH|2", []string{"MSH|1\r", "MSH|2"}},
		{"MSH|1\r\nMSH|2\n\nMSH|3\n", []string{"MSH|1\r\n", "MSH|2\n\n", "MSH|3\n"}},
		{"MSH|1\rOBX|1|ST|MSH|\rMSHA|1\r", []string{"MSH|1\rOBX|1|ST|MSH|\rMSHA|1\r"}},
		{"MSH|1\rMSH", []string{"MSH|1\r", "MSH"}},
		{"BHS|1\rMSH|1\rMSH|2\r", []string{"BHS|1\rMSH|1\rMSH|2\r"}},
		{"PID|1\rMSH|1\r", []string{"PID|1\rMSH|1\r"}},
	}
	for _, tt := range tests {
		var got []string
		for rest := []byte(tt.frame); len(rest) > 0; {
			var msg []byte
			msg, rest = nextMessage(rest)
			got = append(got, string(msg))
		}
		if strings.Join(got, "|+|") != strings.Join(tt.want, "|+|") {
			t.Errorf("nextMessage(%q) = %q, want %q", tt.frame, got, tt.want)
		}
		if n := countMessages([]byte(tt.frame)); n != len(tt.want) {
			t.Errorf("countMessages(%q) = %d, want %d", tt.frame, n, len(tt.want))
		}
	}
}
