package mllp

import (
	"bytes"
	"errors"
	"testing"
)

func TestWriterWriteFrame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		want    string
		err     *ContentError
	}{
		{name: "message", payload: "MSH|^~\\&|A\r", want: "\x0bMSH|^~\\&|A\r\x1c\r"},
		{name: "empty", payload: "", want: "\x0b\x1c\r"},
		{name: "start block inside", payload: "AB\x0bC", err: &ContentError{Offset: 2, Byte: StartBlock}},
		{name: "end block inside", payload: "A\x1cB\x0b", err: &ContentError{Offset: 1, Byte: EndBlock}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out countingWriter
			err := NewWriter(&out).WriteFrame([]byte(tt.payload))
			if tt.err != nil {
				var cerr *ContentError
				if !errors.Is(err, ErrForbiddenByte) || !errors.As(err, &cerr) || *cerr != *tt.err {
					t.Fatalf("WriteFrame() error = %v, want %v", err, tt.err)
				}
				if out.Len() != 0 {
					t.Fatalf("wrote %q before refusing the payload", out.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("wrote %q, want %q", out.String(), tt.want)
			}
			if out.writes != 1 {
				t.Errorf("%d Write calls, want 1 per frame", out.writes)
			}
		})
	}
}

type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}
