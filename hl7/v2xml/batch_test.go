package v2xml_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

// ER7 batches and files go ER7 -> XML -> ER7 byte for byte, and the XML
// matches its golden file: FHS/BHS/BTS/FTS keep their own delimiters,
// messages keep theirs, BTS without BHS takes the last message's.
func TestBatchRoundTripGolden(t *testing.T) {
	tests := []struct{ name, er7, golden string }{
		{"corpus file", "../testdata/batch_file.hl7", "testdata/batch/batch_file.xml"},
		{"batch with its own delimiters", "testdata/batch/batch_delims.hl7", "testdata/batch/batch_delims.xml"},
		{"message stream", "testdata/batch/stream.hl7", "testdata/batch/stream.xml"},
		{"file of two batches", "testdata/batch/file_two_batches.hl7", "testdata/batch/file_two_batches.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			er7, err := os.ReadFile(tt.er7)
			require.NoError(t, err)
			x, err := v2xml.EncodeOptions{Indent: "  "}.MarshalBatch(er7)
			require.NoError(t, err)
			if *update {
				require.NoError(t, os.WriteFile(tt.golden, x, 0o644))
			}
			want, err := os.ReadFile(tt.golden)
			require.NoError(t, err)
			require.Equal(t, string(want), string(x))

			back, err := v2xml.DecodeOptions{}.BatchER7(x)
			require.NoError(t, err)
			require.Equal(t, string(er7), string(back))

			compact, err := v2xml.MarshalBatch(er7)
			require.NoError(t, err)
			back, err = v2xml.UnmarshalBatch(compact)
			require.NoError(t, err)
			require.Equal(t, string(er7), string(back))
		})
	}
}

// The golden documents have the shape written out here: the wrappers, the
// header and trailer segments, and the message elements inside.
func TestMarshalBatchShape(t *testing.T) {
	er7 := "BHS|^~\\&|LAB\rMSH|^~\\&|LAB||||20261121||ACK^R01^ACK|1|P|2.5.1\rMSA|AA|9\rBTS|1\r"
	x, err := v2xml.MarshalBatch([]byte(er7))
	require.NoError(t, err)
	require.Equal(t, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<BATCH xmlns="urn:hl7-org:v2xml">`+
		`<BHS><BHS.1>|</BHS.1><BHS.2>^~\&amp;</BHS.2><BHS.3>LAB</BHS.3></BHS>`+
		`<ACK><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2><MSH.3><HD.1>LAB</HD.1></MSH.3><MSH.7><TS.1>20261121</TS.1></MSH.7>`+
		`<MSH.9><MSG.1>ACK</MSG.1><MSG.2>R01</MSG.2><MSG.3>ACK</MSG.3></MSH.9><MSH.10>1</MSH.10><MSH.11><PT.1>P</PT.1></MSH.11>`+
		`<MSH.12><VID.1>2.5.1</VID.1></MSH.12></MSH><MSA><MSA.1>AA</MSA.1><MSA.2>9</MSA.2></MSA></ACK>`+
		`<BTS><BTS.1>1</BTS.1></BTS>`+
		`</BATCH>`+"\n", string(x))
}

// A decoded batch is an ordinary ER7 batch: hl7.Reader reads its messages
// and checks the trailer counts.
func TestBatchER7ReadsAsBatch(t *testing.T) {
	x, err := os.ReadFile("testdata/batch/file_two_batches.xml")
	require.NoError(t, err)
	er7, err := v2xml.UnmarshalBatch(x)
	require.NoError(t, err)
	r := hl7.NewReader(bytes.NewReader(er7), hl7.ReaderOptions{})
	var ids, files, batches []string
	for m, err := range r.All() {
		require.NoError(t, err)
		ids = append(ids, m.Header().ControlID)
		files = append(files, mustGet(t, r.FileHeader(), "FHS-9"))
		batches = append(batches, mustGet(t, r.BatchHeader(), "BHS-9"))
	}
	require.Equal(t, []string{"ACK-1"}, ids)
	require.Equal(t, []string{"FILE-7"}, files)
	require.Equal(t, []string{"B-1"}, batches)
}

func mustGet(t *testing.T, m *hl7.Message, path string) string {
	t.Helper()
	require.NotNil(t, m)
	s, err := m.Get(path)
	require.NoError(t, err)
	return s
}

func TestMarshalBatchErrors(t *testing.T) {
	tests := []struct{ name, er7 string }{
		{"LF terminator", "MSH|^~\\&|A||||1||ACK|1|P|2.5\nMSA|AA|1\n"},
		{"no final CR", "MSH|^~\\&|A||||1||ACK|1|P|2.5\rMSA|AA|1"},
		{"blank line", "MSH|^~\\&|A||||1||ACK|1|P|2.5\r\rMSA|AA|1\r"},
		{"segment before MSH", "PID|1\rMSH|^~\\&|A||||1||ACK|1|P|2.5\r"},
		{"second batch without FHS", "BHS|^~\\&\rBTS|0\rBHS|^~\\&\rBTS|0\r"},
		{"FTS without FHS", "MSH|^~\\&|A||||1||ACK|1|P|2.5\rFTS|0\r"},
		{"segment after FTS", "FHS|^~\\&\rFTS|0\rMSH|^~\\&|A||||1||ACK|1|P|2.5\r"},
		{"FHS inside a file", "FHS|^~\\&\rFHS|^~\\&\rFTS|0\r"},
		{"bad BHS delimiters", "BHS|^^\\&\rBTS|0\r"},
		{"control character", "BHS|^~\\&|A\x01B\rBTS|0\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v2xml.MarshalBatch([]byte(tt.er7))
			require.ErrorIs(t, err, v2xml.ErrUnencodable)
			var ee *v2xml.EncodeError
			require.True(t, errors.As(err, &ee))
		})
	}
}

func TestBatchER7Rejects(t *testing.T) {
	fhs := `<FHS><FHS.1>|</FHS.1><FHS.2>^~\&amp;</FHS.2></FHS>`
	tests := []struct {
		name, doc string
		want      error
	}{
		{"entity expansion", `<?xml version="1.0"?><!DOCTYPE FILE [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><FILE>&b;</FILE>`, v2xml.ErrDoctype},
		{"external entity", `<!DOCTYPE BATCH [<!ENTITY x SYSTEM "file:///etc/passwd">]><BATCH xmlns="urn:hl7-org:v2xml">&x;</BATCH>`, v2xml.ErrDoctype},
		{"undeclared entity", `<BATCH xmlns="urn:hl7-org:v2xml"><BHS><BHS.1>|</BHS.1><BHS.2>^~\&amp;</BHS.2><BHS.3>&x;</BHS.3></BHS></BATCH>`, v2xml.ErrSyntax},
		{"a message document", `<ACK xmlns="urn:hl7-org:v2xml"><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2></MSH></ACK>`, v2xml.ErrSyntax},
		{"FILE without FHS", `<FILE xmlns="urn:hl7-org:v2xml"><BATCH/></FILE>`, v2xml.ErrSyntax},
		{"text in FILE", `<FILE xmlns="urn:hl7-org:v2xml">` + fhs + `stray</FILE>`, v2xml.ErrSyntax},
		{"segment in FILE", `<FILE xmlns="urn:hl7-org:v2xml">` + fhs + `<MSA/></FILE>`, v2xml.ErrSyntax},
		{"header in BATCH body", `<BATCH xmlns="urn:hl7-org:v2xml"><BTS/><BHS/></BATCH>`, v2xml.ErrSyntax},
		{"nested FILE", `<BATCH xmlns="urn:hl7-org:v2xml"><FILE/></BATCH>`, v2xml.ErrSyntax},
		{"other namespace", `<BATCH xmlns="urn:example"/>`, v2xml.ErrSyntax},
		{"BHS without delimiters", `<BATCH xmlns="urn:hl7-org:v2xml"><BHS><BHS.3>A</BHS.3></BHS></BATCH>`, v2xml.ErrSyntax},
		{"too deep", `<BATCH xmlns="urn:hl7-org:v2xml">` + deep(40) + `</BATCH>`, v2xml.ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v2xml.UnmarshalBatch([]byte(tt.doc))
			require.ErrorIs(t, err, tt.want)
			var se *v2xml.SyntaxError
			require.True(t, errors.As(err, &se))
		})
	}
	// The size limit covers the ER7 a small document can ask for.
	huge := `<BATCH xmlns="urn:hl7-org:v2xml"><BHS><BHS.1>|</BHS.1><BHS.2>^~\&amp;</BHS.2><BHS.1000>x</BHS.1000></BHS></BATCH>`
	_, err := v2xml.DecodeOptions{MaxBytes: 500}.BatchER7([]byte(huge))
	require.ErrorIs(t, err, v2xml.ErrTooLarge)
	// ER7 and Unmarshal take one message, never a batch.
	x, err := os.ReadFile("testdata/batch/batch_file.xml")
	require.NoError(t, err)
	_, err = v2xml.Unmarshal(x)
	require.ErrorIs(t, err, v2xml.ErrSyntax)
}

func deep(n int) string {
	var b bytes.Buffer
	for range n {
		b.WriteString("<G>")
	}
	for range n {
		b.WriteString("</G>")
	}
	return b.String()
}

// FuzzUnmarshalBatch feeds arbitrary documents to the batch decoder. It
// must never panic, hang or expand entities, and whatever it accepts must
// survive a second trip: ER7 -> XML -> ER7 gives the same bytes.
func FuzzUnmarshalBatch(f *testing.F) {
	files, _ := filepath.Glob("testdata/batch/*.xml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<!DOCTYPE FILE [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><FILE>&c;</FILE>`))
	f.Add([]byte(`<!DOCTYPE BATCH SYSTEM "http://example.invalid/x.dtd"><BATCH/>`))
	f.Add([]byte(`<BATCH xmlns="urn:hl7-org:v2xml"><BTS><BTS.1>0</BTS.1></BTS></BATCH>`))
	f.Add([]byte(`<FILE><FHS><FHS.1>#</FHS.1><FHS.2>$*@%</FHS.2><FHS.4><X.2>a</X.2></FHS.4></FHS><BATCH><ACK><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2></MSH></ACK></BATCH><FTS><FTS.1>1</FTS.1></FTS></FILE>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		opts := v2xml.DecodeOptions{MaxBytes: 1 << 16}
		er7, err := opts.BatchER7(doc)
		if err != nil {
			var se *v2xml.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			return
		}
		if len(er7) > 1<<16 {
			t.Fatalf("%d bytes of ER7 from a document limited to %d", len(er7), 1<<16)
		}
		x, err := v2xml.MarshalBatch(er7)
		if err != nil {
			if !errors.Is(err, v2xml.ErrUnencodable) {
				t.Fatalf("MarshalBatch: %v", err)
			}
			return // decodable XML whose ER7 is no valid batch or message
		}
		again, err := v2xml.DecodeOptions{MaxBytes: 1 << 20}.BatchER7(x)
		if err != nil {
			t.Fatalf("decoding our own encoding: %v\n%s", err, x)
		}
		if !bytes.Equal(er7, again) {
			t.Fatalf("second trip differs:\n%q\n%q", er7, again)
		}
	})
}
