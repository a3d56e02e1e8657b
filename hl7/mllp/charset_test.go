package mllp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// corpusMessages returns the single messages of hl7/testdata (the batch
// file is left out), by file name.
func corpusMessages(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("../testdata/*.hl7")
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v (%d files)", err, len(files))
	}
	out := make(map[string][]byte)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(data, []byte("MSH")) {
			out[filepath.Base(f)] = data
		}
	}
	return out
}

// withHeaderFields returns data with MSH-10 and MSH-18 of its first segment
// replaced, adding empty fields up to MSH-18 when the header is shorter.
func withHeaderFields(data []byte, controlID, charset string) []byte {
	end := bytes.IndexAny(data, "\r\n")
	if end < 0 {
		end = len(data)
	}
	fs := data[3]
	fields := bytes.Split(data[:end:end], []byte{fs}) // fields[n-1] is MSH-n for n >= 2
	for len(fields) < 18 {
		fields = append(fields, nil)
	}
	fields[9] = []byte(controlID)
	fields[17] = []byte(charset)
	out := bytes.Join(fields, []byte{fs})
	return append(out, data[end:]...)
}

// charsetSpellings are MSH-18 values senders write, and garbage.
var charsetSpellings = []struct {
	name  string
	known bool // the default alias map or table 0211 resolves it
}{
	{"ISO-8859-1", true}, {"ISO_8859-1", true}, {"LATIN1", true}, {"latin1", true},
	{"WINDOWS-1252", true}, {"CP1252", true}, {"UTF8", true}, {"UTF-8", true},
	{"ASCII", true}, {"US-ASCII", true}, {"8859/1", true}, {"UNICODE UTF-8", true},
	{"", true}, {"KLINGON", false}, {"ISO-8859-99", false}, {"x\\X00\\y", false},
}

// TestServerAnswersEveryCharset sends every corpus message with MSH-18
// replaced by each spelling, to a strict and a lenient Server over a
// loopback socket, and requires exactly one answer per message, echoing
// its control ID and MSH-18, and one handler run for every message that
// parsed. The handler answers in the three ways a handler can.
func TestServerAnswersEveryCharset(t *testing.T) {
	t.Parallel()
	corpus := corpusMessages(t)
	handlers := map[string]func(*hl7.Message) (*hl7.Message, error){
		"nil":    func(*hl7.Message) (*hl7.Message, error) { return nil, nil },
		"error":  func(*hl7.Message) (*hl7.Message, error) { return nil, errors.New("no") },
		"NewACK": func(m *hl7.Message) (*hl7.Message, error) { return hl7.NewACK(m, hl7.AA, hl7.ACKOptions{}) },
	}
	for _, lenient := range []bool{false, true} {
		for hname, h := range handlers {
			t.Run(fmt.Sprintf("lenient=%v/handler=%s", lenient, hname), func(t *testing.T) {
				t.Parallel()
				var mu sync.Mutex
				runs := map[string]int{}
				srv := &Server{
					ParseOptions: hl7.ParseOptions{Lenient: lenient},
					Handler: func(_ context.Context, m *hl7.Message) (*hl7.Message, error) {
						mu.Lock()
						runs[m.Header().ControlID]++
						mu.Unlock()
						return h(m)
					},
				}
				c := dialRaw(t, serve(t, srv))
				n := 0
				for file, data := range corpus {
					for _, cs := range charsetSpellings {
						n++
						id := fmt.Sprintf("CS%04d", n)
						c.send(string(withHeaderFields(data, id, cs.name)))
						c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
						frame, err := c.rd.ReadFrame()
						if err != nil {
							t.Fatalf("%s, MSH-18 %q: no answer: %v", file, cs.name, err)
						}
						ack, err := hl7.ParseOptions{Lenient: true}.Parse(frame)
						if err != nil {
							t.Fatalf("%s, MSH-18 %q: answer %q does not parse: %v", file, cs.name, frame, err)
						}
						if got := get(t, ack, "MSA-2"); got != id {
							t.Errorf("%s, MSH-18 %q: MSA-2 = %q, want %q", file, cs.name, got, id)
						}
						code := get(t, ack, "MSA-1")
						mu.Lock()
						ran := runs[id]
						mu.Unlock()
						parsed := lenient || cs.known && !bytes.Contains(data, []byte("\n"))
						switch {
						case parsed && ran != 1:
							t.Errorf("%s, MSH-18 %q: handler ran %d times, want 1", file, cs.name, ran)
						case !parsed && (ran != 0 || code != "AR" && code != "CR"):
							t.Errorf("%s, MSH-18 %q: handler ran %d times and answer %s, want 0 and a rejection", file, cs.name, ran, code)
						}
						if parsed && cs.name != "" {
							if got := string(ack.Segment(0).Field(18).Raw()); got != cs.name {
								t.Errorf("%s: ACK MSH-18 = %q, want the sender's %q", file, got, cs.name)
							}
						}
					}
				}
				// Nothing more may arrive: one answer per message.
				c.nc.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
				if frame, err := c.rd.ReadFrame(); err == nil {
					t.Errorf("extra answer %q", frame)
				}
			})
		}
	}
}

// TestServerCharsetAliases checks that a listener's own alias map replaces
// the defaults, and that an empty map makes a strict server reject every
// name outside table 0211.
func TestServerCharsetAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		aliases map[string]string
		msh18   string
		want    string
	}{
		{"default alias", nil, "ISO-8859-1", "AA"},
		{"no aliases", map[string]string{}, "ISO-8859-1", "AR"},
		{"own alias", map[string]string{"Westeuropa": "8859/1"}, "WESTEUROPA", "AA"},
		{"own map drops defaults", map[string]string{"Westeuropa": "8859/1"}, "CP1252", "AR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got string
			srv := &Server{
				CharsetAliases: tt.aliases,
				Handler: func(_ context.Context, m *hl7.Message) (*hl7.Message, error) {
					got = m.Charset()
					return nil, nil
				},
			}
			c := dialRaw(t, serve(t, srv))
			c.send(string(withHeaderFields([]byte(fmt.Sprintf(oruText, "A1")), "A1", tt.msh18)))
			c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			frame, err := c.rd.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			ack, err := hl7.ParseOptions{Lenient: true}.Parse(frame)
			if err != nil {
				t.Fatal(err)
			}
			if code := get(t, ack, "MSA-1"); code != tt.want {
				t.Fatalf("MSA-1 = %s, want %s", code, tt.want)
			}
			if tt.want == "AA" && got != "8859/1" {
				t.Errorf("handler saw Charset() = %q, want 8859/1", got)
			}
		})
	}
}
