package hl7

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, r *Reader) ([]string, error) {
	t.Helper()
	var ids []string
	for m, err := range r.All() {
		if err != nil {
			return ids, err
		}
		id, _ := m.Get("MSH-10")
		ids = append(ids, id)
	}
	return ids, nil
}

func TestReaderFileWithBatch(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "batch_file.hl7"))
	require.NoError(t, err)
	r := NewReader(bytes.NewReader(data), ReaderOptions{})
	m, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, "FILE0001", mustGet(t, r.FileHeader(), "FHS-9"))
	require.Equal(t, "BATCH0001", mustGet(t, r.BatchHeader(), "BHS-9"))
	require.Equal(t, "MSH|^~\\&|LAB|VETLAB|PMS|CLINIC|20261121140000||ORU^R01^ORU_R01|B1M1|P|2.5.1\rPID|1||P1\rOBX|1|NM|GLU^Glucose^L||88|mg/dL\r", m.String())
	m, err = r.Next()
	require.NoError(t, err)
	require.Equal(t, "102", mustGet(t, m, "OBX-5"))
	_, err = r.Next()
	require.Equal(t, io.EOF, err)
	require.Nil(t, r.FileHeader())
}

func mustGet(t *testing.T, m *Message, path string) string {
	t.Helper()
	require.NotNil(t, m)
	s, err := m.Get(path)
	require.NoError(t, err)
	return s
}

func TestReaderStreams(t *testing.T) {
	const m1 = "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|1|P|2.5\rPID|1||X\r"
	const m2 = "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|2|P|2.5\rPID|1||Y\r"
	tests := []struct {
		name    string
		in      string
		lenient bool
		want    []string
		wantErr string
	}{
		{"bare MSH stream", m1 + m2, false, []string{"1", "2"}, ""},
		{"bare stream without final CR", m1 + strings.TrimSuffix(m2, "\r"), false, []string{"1", "2"}, ""},
		{"batch", "BHS|^~\\&\r" + m1 + m2 + "BTS|2\r", false, []string{"1", "2"}, ""},
		{"batch without count", "BHS|^~\\&\r" + m1 + "BTS\r", false, []string{"1"}, ""},
		{"batch count wrong", "BHS|^~\\&\r" + m1 + m2 + "BTS|3\r", false, []string{"1", "2"}, "BTS-1 batch message count is 3 but 2 were read"},
		{"batch without trailer", "BHS|^~\\&\r" + m1, false, []string{"1"}, "stream ends without BTS"},
		{"file count wrong", "FHS|^~\\&\rBHS|^~\\&\r" + m1 + "BTS|1\rFTS|2\r", false, []string{"1"}, "FTS-1 file batch count is 2 but 1 were read"},
		{"file without trailer", "FHS|^~\\&\rBHS|^~\\&\r" + m1 + "BTS|1\r", false, []string{"1"}, "stream ends without FTS"},
		{"segment before MSH", "PID|1\r" + m1, false, nil, "segment PID outside a message"},
		{"LF lines strict", strings.ReplaceAll(m1, "\r", "\n"), false, nil, "line feed in header"},
		{"LF lines lenient", strings.ReplaceAll(m1+m2, "\r", "\n") + "\n\n", true, []string{"1", "2"}, ""},
		{"CRLF lines lenient", strings.ReplaceAll("BHS|^~\\&\r"+m1+m2+"BTS|2\r", "\r", "\r\n"), true, []string{"1", "2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.in), ReaderOptions{Parse: ParseOptions{Lenient: tt.lenient}})
			ids, err := readAll(t, r)
			require.Equal(t, tt.want, ids)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestReaderKeepsMessageBytes(t *testing.T) {
	in := "MSH|^~\\&|A\r\nPID|1\r\n\r\nMSH|^~\\&|B\nPID|2\n"
	r := NewReader(strings.NewReader(in), ReaderOptions{Parse: ParseOptions{Lenient: true}})
	m, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, "MSH|^~\\&|A\r\nPID|1\r\n\r\n", m.String())
	m, err = r.Next()
	require.NoError(t, err)
	require.Equal(t, "MSH|^~\\&|B\nPID|2\n", m.String())
}

func TestReaderMaxMessageSize(t *testing.T) {
	in := io.MultiReader(strings.NewReader("MSH|^~\\&|A\rOBX|1|ED|||"), endless('A'))
	r := NewReader(in, ReaderOptions{MaxMessageSize: 1 << 20})
	_, err := r.Next()
	require.ErrorIs(t, err, ErrBatch)
	require.ErrorContains(t, err, "larger than MaxMessageSize")
}

// endless is a reader that never ends.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// limitedMessages yields a BHS and then copies of one message until n
// bytes have been produced, without a BTS.
type limitedMessages struct {
	head, msg []byte
	left      int64
	pos       int
}

func (l *limitedMessages) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && l.left > 0 {
		src := l.msg
		if l.head != nil {
			src = l.head
		}
		c := copy(p[n:], src[l.pos:])
		if int64(c) > l.left {
			c = int(l.left)
		}
		n += c
		l.pos += c
		l.left -= int64(c)
		if l.pos == len(src) {
			l.pos = 0
			l.head = nil
		}
	}
	return n, nil
}

// TestReaderBoundedMemory streams 1 GiB of a batch that never ends and
// checks that the heap stays small and the missing BTS is reported.
func TestReaderBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	msg, err := os.ReadFile(filepath.Join("testdata", "oru_r01_251_cbc.hl7"))
	require.NoError(t, err)
	src := &limitedMessages{head: []byte("BHS|^~\\&\r"), msg: msg, left: 1 << 30}
	r := NewReader(src, ReaderOptions{})
	var peak uint64
	n := 0
	for {
		_, err := r.Next()
		if err != nil {
			require.ErrorContains(t, err, "stream ends without BTS")
			require.True(t, errors.Is(err, ErrBatch))
			break
		}
		if n++; n%100000 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	require.Greater(t, n, 1000000)
	require.Less(t, peak, uint64(64<<20), "heap in use must stay bounded")
}

func TestWriter(t *testing.T) {
	b := NewBuilder(Delimiters{})
	b.Segment("FHS").Set("9", "F1")
	fhs, err := b.Build()
	require.NoError(t, err)
	b = NewBuilder(Delimiters{})
	b.Segment("BHS").Set("9", "B1")
	bhs, err := b.Build()
	require.NoError(t, err)
	m1, err := Parse([]byte("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1"))
	require.NoError(t, err)

	var out bytes.Buffer
	w := NewWriter(&out)
	require.NoError(t, w.StartFile(fhs))
	require.NoError(t, w.StartBatch(bhs))
	require.NoError(t, w.Write(m1))
	require.NoError(t, w.Write(m1))
	require.NoError(t, w.EndBatch(nil))
	require.NoError(t, w.StartBatch(bhs))
	require.NoError(t, w.EndBatch([]byte("BTS|0|empty batch")))
	require.NoError(t, w.EndFile(nil))
	require.NoError(t, w.Close())
	require.Equal(t, "FHS|^~\\&|||||||F1\rBHS|^~\\&|||||||B1\r"+
		"MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1\r"+
		"MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1\r"+
		"BTS|2\rBHS|^~\\&|||||||B1\rBTS|0|empty batch\rFTS|2\r", out.String())

	// What the writer wrote, the reader reads back.
	ids, err := readAll(t, NewReader(&out, ReaderOptions{}))
	require.NoError(t, err)
	require.Equal(t, []string{"1", "1"}, ids)
}

func TestWriterRejects(t *testing.T) {
	m1, err := Parse([]byte("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\r"))
	require.NoError(t, err)
	bhs, err := Parse([]byte("BHS|^~\\&\r"))
	require.NoError(t, err)

	w := NewWriter(io.Discard)
	require.NoError(t, w.StartBatch(bhs))
	require.NoError(t, w.Write(m1))
	err = w.EndBatch([]byte("BTS|2"))
	require.ErrorIs(t, err, ErrBatch)
	require.ErrorContains(t, err, "BTS-1 is 2 but 1 were read")

	w = NewWriter(io.Discard)
	require.NoError(t, w.StartBatch(bhs))
	require.ErrorContains(t, w.Close(), "open batch")

	w = NewWriter(io.Discard)
	require.ErrorContains(t, w.EndFile(nil), "EndFile without StartFile")
}

// TestReaderErrorOffsets reports a bad message at its offset in the stream.
func TestReaderErrorOffsets(t *testing.T) {
	in := "MSH|^~\\&|A\rPID|1\rMSH|^~\\&|B\rpid|2\r"
	r := NewReader(strings.NewReader(in), ReaderOptions{})
	_, err := r.Next()
	require.NoError(t, err)
	_, err = r.Next()
	var pe *ParseError
	require.True(t, errors.As(err, &pe))
	require.ErrorIs(t, err, ErrSegmentID)
	require.Equal(t, 28, pe.Offset) // "pid" starts at byte 28 of the stream
	_, again := r.Next()
	require.Equal(t, err, again, "the reader stays failed")
}

func TestWriterMisuse(t *testing.T) {
	m1, err := Parse([]byte("MSH|^~\\&|A\r"))
	require.NoError(t, err)
	fhs, err := Parse([]byte("FHS|^~\\&\r"))
	require.NoError(t, err)
	bhs, err := Parse([]byte("BHS|^~\\&\r"))
	require.NoError(t, err)

	w := NewWriter(io.Discard)
	require.NoError(t, w.StartFile(fhs))
	require.ErrorContains(t, w.Write(m1), "outside a batch")
	require.ErrorIs(t, w.Close(), ErrBatch, "the first error sticks")

	w = NewWriter(io.Discard)
	require.ErrorContains(t, w.StartBatch(m1), "single BHS")
	w = NewWriter(io.Discard)
	require.ErrorContains(t, w.StartFile(bhs), "single FHS")
	w = NewWriter(io.Discard)
	require.NoError(t, w.StartBatch(bhs))
	require.ErrorContains(t, w.StartBatch(bhs), "inside an open batch")
	w = NewWriter(io.Discard)
	require.NoError(t, w.StartBatch(bhs))
	require.ErrorContains(t, w.Write(bhs), "does not start with MSH")
	w = NewWriter(io.Discard)
	require.NoError(t, w.StartBatch(bhs))
	require.ErrorContains(t, w.EndBatch([]byte("FTS|0")), "must be a BTS")

	w = NewWriter(failingWriter{})
	require.Error(t, w.Write(m1))
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
