package mllp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// fuzzLimit is small so that the fuzzer reaches the size limits quickly.
const fuzzLimit = 64

// FuzzReader feeds arbitrary bytes to a Reader: it must not panic or loop,
// every frame must respect the limit and hold no start block, every error must
// be a *FrameError, and the bytes accounted for (payloads, their block
// characters, discarded bytes) must not exceed the input.
func FuzzReader(f *testing.F) {
	for _, seed := range []string{
		"",
		"\x0bMSH|^~\\&|LAB|VET|||20260101||ORU^R01|1|P|2.5.1\r\x1c\r",
		"\x0bA\x1c\r\r\n\x0bB\x1c\r",
		"junk\x0bA\x1cB\x1c\r",
		"\x0bAB\x0bC\x1c\x0bD\x1c",
		"\x0b" + string(bytes.Repeat([]byte("x"), fuzzLimit+1)) + "\x1c\r\x0bOK\x1c\r",
		string(bytes.Repeat([]byte("\r\n"), fuzzLimit)),
		"\x0bincomplete",
		"\x1c\r\x1c\x0b\x1c\x1c\r",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), fuzzLimit)
		var framed int64
		for calls := 0; ; calls++ {
			if calls > len(data)+1 {
				t.Fatalf("%d ReadFrame calls on %d bytes without io.EOF", calls, len(data))
			}
			frame, err := r.ReadFrame()
			if err == io.EOF {
				break
			}
			if err != nil {
				var ferr *FrameError
				if !errors.As(err, &ferr) {
					t.Fatalf("error %v (%T) is not a *FrameError", err, err)
				}
				if ferr.Offset < 0 || ferr.Offset >= int64(len(data)) {
					t.Fatalf("error offset %d outside the %d-byte input", ferr.Offset, len(data))
				}
				continue
			}
			if len(frame) > fuzzLimit {
				t.Fatalf("frame of %d bytes passed the %d-byte limit", len(frame), fuzzLimit)
			}
			if bytes.IndexByte(frame, StartBlock) >= 0 {
				t.Fatalf("frame %q holds a start block", frame)
			}
			if !bytes.Contains(data, frame) {
				t.Fatalf("frame %q is not in the input", frame)
			}
			framed += int64(len(frame)) + 2 // at least the start and end blocks
		}
		if framed+r.Discarded() > int64(len(data)) {
			t.Fatalf("%d framed + %d discarded bytes from a %d-byte input", framed, r.Discarded(), len(data))
		}
	})
}

// FuzzWriterReaderRoundTrip writes the parts of the input, split at '|', as
// frames; reading them back must give the same payloads. Parts holding a
// block character must be refused by the Writer instead.
func FuzzWriterReaderRoundTrip(f *testing.F) {
	f.Add([]byte("MSH|PID|OBX"))
	f.Add([]byte("||\r\n|"))
	f.Add([]byte("a\x1cb|c\x0b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var stream bytes.Buffer
		w := NewWriter(&stream)
		var sent [][]byte
		for part := range bytes.SplitSeq(data, []byte("|")) {
			err := w.WriteFrame(part)
			forbidden := bytes.IndexByte(part, StartBlock) >= 0 || bytes.IndexByte(part, EndBlock) >= 0
			if forbidden != errors.Is(err, ErrForbiddenByte) {
				t.Fatalf("WriteFrame(%q) error = %v", part, err)
			}
			if err == nil {
				sent = append(sent, part)
			}
		}
		r := NewReader(&stream, 0)
		for i, want := range sent {
			got, err := r.ReadFrame()
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("frame %d: ReadFrame() = %q, %v; want %q", i, got, err, want)
			}
		}
		if _, err := r.ReadFrame(); err != io.EOF {
			t.Fatalf("after the last frame: error = %v, want io.EOF", err)
		}
		if r.Discarded() != 0 {
			t.Fatalf("discarded %d bytes of a well-formed stream", r.Discarded())
		}
	})
}
