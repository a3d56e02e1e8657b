package mllp

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// step is one expected ReadFrame result: a payload, or an error to match with
// errors.Is (and, for a *FrameError, its offset).
type step struct {
	frame  string
	err    error
	offset int64
}

func TestReaderReadFrame(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("OBX|1|ED|PDF^Report||", 2000) // 42000 bytes: more than one read buffer
	tests := []struct {
		name      string
		input     string
		max       int
		steps     []step
		discarded int64
	}{
		{
			name:  "one frame",
			input: "\x0bMSH|^~\\&|LAB\r\x1c\r",
			steps: []step{{frame: "MSH|^~\\&|LAB\r"}, {err: io.EOF}},
		},
		{
			name:  "two frames back to back",
			input: "\x0bA\r\x1c\r\x0bB\r\x1c\r",
			steps: []step{{frame: "A\r"}, {frame: "B\r"}, {err: io.EOF}},
		},
		{
			name:      "CR LF between frames is skipped",
			input:     "\x0bA\x1c\r\r\n\x0bB\x1c\r",
			steps:     []step{{frame: "A"}, {frame: "B"}, {err: io.EOF}},
			discarded: 2,
		},
		{
			name:      "junk before the first frame is skipped",
			input:     "hello\x0bA\x1c\r",
			steps:     []step{{frame: "A"}, {err: io.EOF}},
			discarded: 5,
		},
		{
			name:      "junk after the last frame is skipped",
			input:     "\x0bA\x1c\r\n\n",
			steps:     []step{{frame: "A"}, {err: io.EOF}},
			discarded: 2,
		},
		{
			name:  "empty stream",
			input: "",
			steps: []step{{err: io.EOF}, {err: io.EOF}},
		},
		{
			name:  "empty frame",
			input: "\x0b\x1c\r",
			steps: []step{{frame: ""}, {err: io.EOF}},
		},
		{
			name:  "end block without CR is payload",
			input: "\x0bA\x1cB\x1c\r",
			steps: []step{{frame: "A\x1cB"}, {err: io.EOF}},
		},
		{
			name:  "two end blocks before CR",
			input: "\x0bA\x1c\x1c\r",
			steps: []step{{frame: "A\x1c"}, {err: io.EOF}},
		},
		{
			name:  "end block then start block: CR omitted",
			input: "\x0bA\x1c\x0bB\x1c\r",
			steps: []step{{frame: "A"}, {frame: "B"}, {err: io.EOF}},
		},
		{
			name:  "end block then end of stream: CR omitted",
			input: "\x0bA\x1c",
			steps: []step{{frame: "A"}, {err: io.EOF}},
		},
		{
			name:      "start block inside a frame restarts it",
			input:     "\x0bAB\x0bC\x1c\r",
			steps:     []step{{frame: "C"}, {err: io.EOF}},
			discarded: 3,
		},
		{
			name:      "stream ends inside a frame",
			input:     "\x0bA\x1c\r\x0bBC",
			steps:     []step{{frame: "A"}, {err: ErrIncompleteFrame, offset: 4}, {err: io.EOF}},
			discarded: 3,
		},
		{
			name:  "frame of exactly the maximum size",
			input: "\x0bABCD\x1c\r",
			max:   4,
			steps: []step{{frame: "ABCD"}, {err: io.EOF}},
		},
		{
			name:      "frame over the maximum size, then a good one",
			input:     "\x0bOK\x1c\r\x0bABCDE\x1c\r\x0bOK\x1c\r",
			max:       4,
			steps:     []step{{frame: "OK"}, {err: ErrFrameTooLarge, offset: 5}, {frame: "OK"}, {err: io.EOF}},
			discarded: 8,
		},
		{
			name:      "no start block within the maximum size",
			input:     "\x0bOK\x1c\rGET / HTTP/1.1\r\n",
			max:       4,
			steps:     []step{{frame: "OK"}, {err: ErrNoStartBlock, offset: 5}},
			discarded: 16,
		},
		{
			name:  "frame larger than the read buffer",
			input: "\x0b" + big + "\x1c\r\x0bB\x1c\r",
			steps: []step{{frame: big}, {frame: "B"}, {err: io.EOF}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NewReader(strings.NewReader(tt.input), tt.max)
			for i, want := range tt.steps {
				got, err := r.ReadFrame()
				if want.err == nil {
					if err != nil {
						t.Fatalf("step %d: ReadFrame() error = %v, want frame %q", i, err, want.frame)
					}
					if got == nil || string(got) != want.frame {
						t.Fatalf("step %d: ReadFrame() = %q, want %q", i, got, want.frame)
					}
					continue
				}
				if !errors.Is(err, want.err) || got != nil {
					t.Fatalf("step %d: ReadFrame() = %q, %v; want nil, %v", i, got, err, want.err)
				}
				var ferr *FrameError
				if errors.As(err, &ferr) && ferr.Offset != want.offset {
					t.Fatalf("step %d: error offset = %d, want %d", i, ferr.Offset, want.offset)
				}
			}
			if got := r.Discarded(); got != tt.discarded {
				t.Errorf("Discarded() = %d, want %d", got, tt.discarded)
			}
		})
	}
}

func TestFrameErrorMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{&FrameError{Offset: 5, Limit: 4, Err: ErrFrameTooLarge}, "mllp: frame starting at byte 5 is longer than the maximum frame size of 4 bytes"},
		{&FrameError{Offset: 0, Limit: 4, Err: ErrNoStartBlock}, "mllp: 4 bytes from byte 0 on contain no start block (0x0B)"},
		{&FrameError{Offset: 9, Limit: 4, Err: ErrIncompleteFrame}, "mllp: stream ended inside the frame starting at byte 9, before its end block (0x1C 0x0D)"},
		{&ContentError{Offset: 3, Byte: EndBlock}, "mllp: payload byte 3 is 0x1C, which MLLP forbids inside a frame"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// scriptedReader returns its parts one Read at a time; an error part is
// returned as the error of a Read that reads nothing.
type scriptedReader struct{ parts []any }

func (s *scriptedReader) Read(p []byte) (int, error) {
	if len(s.parts) == 0 {
		return 0, io.EOF
	}
	part := s.parts[0]
	s.parts = s.parts[1:]
	if err, ok := part.(error); ok {
		return 0, err
	}
	return copy(p, part.(string)), nil
}

// A read deadline in the middle of a frame must not lose the frame: the
// caller retries and gets it whole.
func TestReaderKeepsPartialFrameAcrossErrors(t *testing.T) {
	t.Parallel()
	errTimeout := errors.New("i/o timeout")
	src := &scriptedReader{parts: []any{"\x0bMSH|A", errTimeout, "B\x1c", errTimeout, "\r\x0bC", errTimeout, "\x1c\r"}}
	r := NewReader(src, 0)
	var frames []string
	var errs int
	for {
		frame, err := r.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.Is(err, errTimeout) {
				t.Fatalf("ReadFrame() error = %v, want %v", err, errTimeout)
			}
			errs++
			continue
		}
		frames = append(frames, string(frame))
	}
	if want := []string{"MSH|AB", "C"}; !slices.Equal(frames, want) {
		t.Errorf("frames = %q, want %q", frames, want)
	}
	if errs != 3 {
		t.Errorf("got %d errors, want 3", errs)
	}
}

// endlessFrame is a stream of the given size that opens a frame and never
// ends it: a start block followed by 'A's.
type endlessFrame struct{ read, size int64 }

func (e *endlessFrame) Read(p []byte) (int, error) {
	if e.read >= e.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), e.size-e.read)
	for i := range p[:n] {
		p[i] = 'A'
	}
	if e.read == 0 {
		p[0] = StartBlock
	}
	e.read += n
	return int(n), nil
}

// The acceptance test: a 1 GiB stream with no end block fails fast,
// after reading little more than the limit, with memory bounded by the limit.
func TestReaderOneGiBWithoutEndBlock(t *testing.T) {
	for _, limit := range []int{64 << 10, DefaultMaxFrameSize} {
		src := &endlessFrame{size: 1 << 30}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		frame, err := NewReader(src, limit).ReadFrame()
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrFrameTooLarge) || frame != nil {
			t.Fatalf("limit %d: ReadFrame() = %d bytes, %v; want ErrFrameTooLarge", limit, len(frame), err)
		}
		if maxRead := int64(1 + limit + readBufferSize); src.read > maxRead {
			t.Errorf("limit %d: read %d bytes of the stream, want at most %d", limit, src.read, maxRead)
		}
		// The frame buffer doubles up to the limit (at most 2×limit in all)
		// plus the read buffer and the Reader itself.
		allocated := after.TotalAlloc - before.TotalAlloc
		if maxAlloc := uint64(2*limit + 2*readBufferSize + 64<<10); allocated > maxAlloc {
			t.Errorf("limit %d: allocated %d bytes, want at most %d", limit, allocated, maxAlloc)
		}
	}
}

func TestReaderJunkWithoutStartBlockIsBounded(t *testing.T) {
	t.Parallel()
	src := &endlessFrame{read: 1, size: 1 << 30} // read: 1 skips the start block
	_, err := NewReader(src, 64<<10).ReadFrame()
	if !errors.Is(err, ErrNoStartBlock) {
		t.Fatalf("ReadFrame() error = %v, want ErrNoStartBlock", err)
	}
	if maxRead := int64(1 + 64<<10 + readBufferSize); src.read > maxRead {
		t.Errorf("read %d bytes of the stream, want at most %d", src.read, maxRead)
	}
}

func TestWriterReaderRoundTrip(t *testing.T) {
	t.Parallel()
	payloads := []string{"MSH|^~\\&|A\rPID|1\r", "", strings.Repeat("x", 100_000), "OBX|1|ST|||\\X0B\\\r"}
	var stream bytes.Buffer
	w := NewWriter(&stream)
	for _, p := range payloads {
		if err := w.WriteFrame([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	r := NewReader(&stream, 0)
	for i, want := range payloads {
		got, err := r.ReadFrame()
		if err != nil || string(got) != want {
			t.Fatalf("frame %d: ReadFrame() = %.40q, %v; want %.40q", i, got, err, want)
		}
	}
	if _, err := r.ReadFrame(); err != io.EOF {
		t.Fatalf("after the last frame: error = %v, want io.EOF", err)
	}
}

// The limit is checked as bytes arrive, not when a buffer fills or the end
// block comes: a slow sender passing the limit is refused at once.
func TestReaderChecksLimitAsBytesArrive(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("\x0bMSH|^~\\&|0123456789")) // then nothing more, without closing
	done := make(chan error, 1)
	go func() {
		_, err := NewReader(pr, 10).ReadFrame()
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("ReadFrame() error = %v, want ErrFrameTooLarge", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFrame() waited for more bytes after the limit was passed")
	}
}

func TestFrameErrorHead(t *testing.T) {
	t.Parallel()
	_, err := NewReader(strings.NewReader("\x0bMSH|^~\\&|A\rPID|1\x1c\r"), 8).ReadFrame()
	var ferr *FrameError
	if !errors.As(err, &ferr) || string(ferr.Head()) != "MSH|^~\\&|A\rPID|1" {
		t.Fatalf("ReadFrame() error = %v, want a FrameError with the payload as Head", err)
	}
	if strings.Contains(err.Error(), "MSH") {
		t.Errorf("error text %q holds message content", err)
	}
	_, err = NewReader(strings.NewReader("\x0bMSH"), 8).ReadFrame()
	if !errors.As(err, &ferr) || ferr.Head() != nil {
		t.Fatalf("incomplete frame: error = %v, want a FrameError without Head", err)
	}
}
