package hl7

import (
	"errors"
	"testing"
)

// TestCharsetAliases checks that ParseOptions.CharsetAliases resolves the
// spellings senders write, that Message.Charset reports the table 0211
// name while MSH-18 keeps the sender's text, and that NewACK echoes it.
func TestCharsetAliases(t *testing.T) {
	t.Parallel()
	const head = "MSH|^~\\&|A|B|C|D|20261121||ORU^R01|X1|P|2.5.1||||||"
	tests := []struct {
		msh18   string
		aliases map[string]string
		lenient bool
		want    string // Charset(); "-" means ErrCharset
		value   string // PID-5 decoded, from the byte 0xE9
	}{
		{"ISO-8859-1", DefaultCharsetAliases(), false, "8859/1", "é"},
		{"iso_8859-1", DefaultCharsetAliases(), false, "8859/1", "é"},
		{" Latin1 ", DefaultCharsetAliases(), false, "8859/1", "é"},
		{"WINDOWS-1252", DefaultCharsetAliases(), false, "WINDOWS-1252", "é"},
		{"CP1252", DefaultCharsetAliases(), false, "WINDOWS-1252", "é"},
		{"UTF8", DefaultCharsetAliases(), false, "UNICODE UTF-8", "\xe9"},
		{"US-ASCII", DefaultCharsetAliases(), false, "ASCII", "\xe9"},
		{"ISO-8859-1", nil, false, "-", ""},
		{"ISO-8859-1", nil, true, "", "\xe9"},
		{"KLINGON", DefaultCharsetAliases(), false, "-", ""},
		{"KLINGON", DefaultCharsetAliases(), true, "", "\xe9"},
		{"Westeuropa", map[string]string{"westeuropa": "8859/1"}, false, "8859/1", "é"},
	}
	for _, tt := range tests {
		t.Run(tt.msh18, func(t *testing.T) {
			data := []byte(head + tt.msh18 + "\rPID|1||P1||\xe9\r")
			m, err := ParseOptions{CharsetAliases: tt.aliases, Lenient: tt.lenient}.Parse(data)
			if tt.want == "-" {
				if !errors.Is(err, ErrCharset) {
					t.Fatalf("Parse error = %v, want ErrCharset", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Charset() != tt.want {
				t.Errorf("Charset() = %q, want %q", m.Charset(), tt.want)
			}
			if v, _ := m.Get("PID-5"); v != tt.value {
				t.Errorf("PID-5 = %q, want %q", v, tt.value)
			}
			if string(m.Bytes()) != string(data) {
				t.Errorf("Bytes() changed the input")
			}
			ack, err := NewACK(m, AA, ACKOptions{})
			if err != nil {
				t.Fatalf("NewACK: %v", err)
			}
			if got := string(ack.Segment(0).Field(18).Raw()); got != tt.msh18 {
				t.Errorf("ACK MSH-18 = %q, want the sender's %q", got, tt.msh18)
			}
		})
	}
}
