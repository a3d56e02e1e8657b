package v2xml_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

var update = flag.Bool("update", false, "rewrite the golden .xml files")

// The shipped structures and the hard cases (escapes of every kind, empty
// repetitions and trailing separators, Z-segments, other delimiters) go
// ER7 -> XML -> ER7 byte for byte, and the XML matches its golden file.
func TestRoundTripGolden(t *testing.T) {
	for _, name := range []string{"opu_r25", "oru_r01", "ack_ae", "escapes", "delims"} {
		t.Run(name, func(t *testing.T) {
			er7, err := os.ReadFile(filepath.Join("testdata", name+".hl7"))
			require.NoError(t, err)
			m, err := hl7.Parse(er7)
			require.NoError(t, err)

			x, err := v2xml.EncodeOptions{Indent: "  "}.Marshal(m)
			require.NoError(t, err)
			golden := filepath.Join("testdata", name+".xml")
			if *update {
				require.NoError(t, os.WriteFile(golden, x, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), string(x))

			back, err := v2xml.DecodeOptions{}.ER7(x)
			require.NoError(t, err)
			require.Equal(t, string(er7), string(back))

			compact, err := v2xml.Marshal(m)
			require.NoError(t, err)
			m2, err := v2xml.Unmarshal(compact)
			require.NoError(t, err)
			require.Equal(t, string(er7), m2.String())
		})
	}
}

// The corpus of package hl7 round-trips too, wherever it has a v2.xml form.
func TestRoundTripCorpus(t *testing.T) {
	files, err := filepath.Glob("../testdata/*.hl7")
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		m, err := hl7.Parse(data)
		if err != nil || m.Segment(0).Name() != "MSH" || !bytes.HasSuffix(data, []byte("\r")) {
			continue // lenient line endings and batches have no exact v2.xml form
		}
		x, err := v2xml.Marshal(m)
		if err != nil {
			require.ErrorIs(t, err, v2xml.ErrUnencodable, f)
			continue
		}
		back, err := v2xml.DecodeOptions{}.ER7(x)
		require.NoError(t, err, f)
		require.Equal(t, string(data), string(back), f)
	}
}

func TestMarshalHandWritten(t *testing.T) {
	tests := []struct {
		name string
		er7  string
		want string
	}{{
		name: "primitive, composite, repetition, subcomponent",
		er7:  "MSH|^~\\&|A||||||ACK|1|P|2.5.1\rMSA|AA|1\rERR||PID^1^3|101&x",
		want: `<ACK xmlns="urn:hl7-org:v2xml"><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2><MSH.3><HD.1>A</HD.1></MSH.3><MSH.9><MSG.1>ACK</MSG.1></MSH.9><MSH.10>1</MSH.10><MSH.11><PT.1>P</PT.1></MSH.11><MSH.12><VID.1>2.5.1</VID.1></MSH.12></MSH><MSA><MSA.1>AA</MSA.1><MSA.2>1</MSA.2></MSA><ERR><ERR.2><ERL.1>PID</ERL.1><ERL.2>1</ERL.2><ERL.3>3</ERL.3></ERR.2><ERR.3><CWE.1><CWE.1.1>101</CWE.1.1><CWE.1.2>x</CWE.1.2></CWE.1></ERR.3></ERR></ACK>`,
	}, {
		name: "trailing empties and empty repetitions",
		er7:  "MSH|^~\\&|||||||ACK|1|P|2.6\rZZZ|~a|b^^|",
		want: `<ACK xmlns="urn:hl7-org:v2xml"><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2><MSH.9><MSG.1>ACK</MSG.1></MSH.9><MSH.10>1</MSH.10><MSH.11><PT.1>P</PT.1></MSH.11><MSH.12><VID.1>2.6</VID.1></MSH.12></MSH><ZZZ><ZZZ.1/><ZZZ.1>a</ZZZ.1><ZZZ.2><ZZZ.2.1>b</ZZZ.2.1><ZZZ.2.3/></ZZZ.2><ZZZ.3/></ZZZ></ACK>`,
	}, {
		name: "a segment out of place stays where it is",
		er7:  "MSH|^~\\&|||||||ACK|1|P|2.6\rERR\rMSA|AA\rZZZ",
		want: `<ACK xmlns="urn:hl7-org:v2xml"><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2><MSH.9><MSG.1>ACK</MSG.1></MSH.9><MSH.10>1</MSH.10><MSH.11><PT.1>P</PT.1></MSH.11><MSH.12><VID.1>2.6</VID.1></MSH.12></MSH><ERR/><MSA><MSA.1>AA</MSA.1></MSA><ZZZ/></ACK>`,
	}, {
		name: "escapes",
		er7:  "MSH|^~\\&|||||||ACK|1|P|2.6\rNTE|1||a\\F\\b\\.br\\c\\X0D\\<",
		want: `<ACK xmlns="urn:hl7-org:v2xml"><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2><MSH.9><MSG.1>ACK</MSG.1></MSH.9><MSH.10>1</MSH.10><MSH.11><PT.1>P</PT.1></MSH.11><MSH.12><VID.1>2.6</VID.1></MSH.12></MSH><NTE><NTE.1>1</NTE.1><NTE.3>a|b<escape V=".br"/>c<escape V="X0D"/>&lt;</NTE.3></NTE></ACK>`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := hl7.Parse([]byte(tt.er7))
			require.NoError(t, err)
			x, err := v2xml.Marshal(m)
			require.NoError(t, err)
			require.Equal(t, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+tt.want+"\n", string(x))
			back, err := v2xml.DecodeOptions{}.ER7(x)
			require.NoError(t, err)
			require.Equal(t, tt.er7+"\r", string(back))
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name, er7, loc string
	}{
		{"unterminated escape", "MSH|^~\\&|||||||ACK|1|P|2.6\rNTE|1||abc\\X0D", "NTE-3[1]"},
		{"control character", "MSH|^~\\&|||||||ACK|1|P|2.6\rNTE|1||a\x01b", "NTE-3[1]"},
		{"invalid UTF-8", "MSH|^~\\&|||||||ACK|1|P|2.6\rNTE|1||a\xffb", "NTE-3[1]"},
		{"bare line feed", "MSH|^~\\&|||||||ACK|1|P|2.6\rNTE|1||a\nb", "NTE-3[1]"},
		{"structure is not a name", "MSH|^~\\&|||||||A<B^X|1|P|2.6", "MSH-9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := hl7.Parse([]byte(tt.er7))
			require.NoError(t, err)
			_, err = v2xml.Marshal(m)
			require.ErrorIs(t, err, v2xml.ErrUnencodable)
			var ee *v2xml.EncodeError
			require.ErrorAs(t, err, &ee)
			require.True(t, strings.HasPrefix(ee.Location, tt.loc), ee.Location)
		})
	}
}

const msh = `<MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2><MSH.9><MSG.1>ACK</MSG.1></MSH.9></MSH>`

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		opts v2xml.DecodeOptions
		want error
	}{
		{"doctype", `<!DOCTYPE ACK [<!ENTITY a "b">]><ACK>` + msh + `</ACK>`, v2xml.DecodeOptions{}, v2xml.ErrDoctype},
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><ACK>&lol2;</ACK>`, v2xml.DecodeOptions{}, v2xml.ErrDoctype},
		{"external entity", `<!DOCTYPE ACK [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><ACK>` + msh + `<NTE><NTE.3>&xxe;</NTE.3></NTE></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrDoctype},
		{"undeclared entity", `<ACK>` + msh + `<NTE><NTE.3>&xxe;</NTE.3></NTE></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"too large", `<ACK>` + msh + `</ACK>`, v2xml.DecodeOptions{MaxBytes: 20}, v2xml.ErrTooLarge},
		{"too deep", `<ACK><A.B><A.C><A.D>` + msh + `</A.D></A.C></A.B></ACK>`, v2xml.DecodeOptions{MaxDepth: 4}, v2xml.ErrTooDeep},
		{"output amplification", `<ACK>` + msh + `<ZZZ><ZZZ.1000><X.1000><Y.1000/></X.1000></ZZZ.1000></ZZZ></ACK>`, v2xml.DecodeOptions{MaxBytes: 1000}, v2xml.ErrTooLarge},
		{"other namespace", `<ACK xmlns="urn:other">` + msh + `</ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"prefixed element", `<ACK xmlns:h="urn:hl7-org:v2xml">` + msh + `<h:MSA/></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"not UTF-8", `<?xml version="1.0" encoding="ISO-8859-1"?><ACK>` + msh + `</ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"processing instruction", `<ACK><?php x?>` + msh + `</ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"no MSH first", `<ACK><MSA/>` + msh + `</ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"no MSH.2", `<ACK><MSH><MSH.1>|</MSH.1></MSH></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"bad delimiters", `<ACK><MSH><MSH.1>|</MSH.1><MSH.2>^^\&amp;</MSH.2></MSH></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"second MSH", `<ACK>` + msh + msh + `</ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"field of another segment", `<ACK>` + msh + `<MSA><PID.1>x</PID.1></MSA></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"position zero", `<ACK>` + msh + `<MSA><MSA.0>x</MSA.0></MSA></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"position too big", `<ACK>` + msh + `<MSA><MSA.1001>x</MSA.1001></MSA></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"component twice", `<ACK>` + msh + `<MSA><MSA.1><ID.1>a</ID.1><ID.1>b</ID.1></MSA.1></MSA></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"text with components", `<ACK>` + msh + `<MSA><MSA.1>a<ID.2>b</ID.2></MSA.1></MSA></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"text in segment", `<ACK>` + msh + `<MSA>text</MSA></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"text in group", `<ACK>` + msh + `<ACK.G>text<MSA/></ACK.G></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"sub-subcomponent", `<ACK>` + msh + `<MSA><MSA.1><A.1><B.1><C.1>x</C.1></B.1></A.1></MSA.1></MSA></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"delimiter in escape", `<ACK>` + msh + `<MSA><MSA.1><escape V="a|b"/></MSA.1></MSA></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"unknown attribute", `<ACK>` + msh + `<MSA a="1"/></ACK>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"two roots", `<ACK>` + msh + `</ACK><ACK/>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"unclosed", `<ACK>` + msh, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"mismatched end tag", `<ACK>` + msh + `</ACX>`, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
		{"empty", ``, v2xml.DecodeOptions{}, v2xml.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.ER7([]byte(tt.doc))
			require.ErrorIs(t, err, tt.want)
			var se *v2xml.SyntaxError
			require.ErrorAs(t, err, &se)
		})
	}
}

// Decoding places parts by the numbers in their names, ignores the
// indentation between elements and keeps whitespace inside values.
func TestDecodeHandWritten(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"positions, not order", `<ACK>` + msh + `<ZZZ><ZZZ.3>c</ZZZ.3><ZZZ.1><X.2>b</X.2><X.1>a</X.1></ZZZ.1></ZZZ></ACK>`,
			"MSH|^~\\&|||||||ACK\rZZZ|a^b||c\r"},
		{"indentation and values with spaces", "<ACK>\n  " + msh + "\n  <NTE>\n    <NTE.3>  two  spaces </NTE.3>\n  </NTE>\n</ACK>",
			"MSH|^~\\&|||||||ACK\rNTE|||  two  spaces \r"},
		{"delimiters in text are escaped", `<ACK>` + msh + `<NTE><NTE.3>a|b^c~d\e&amp;f` + "\r\n" + `g</NTE.3></NTE></ACK>`,
			"MSH|^~\\&|||||||ACK\rNTE|||a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\X0A\\g\r"},
		{"groups are flattened in order", `<ACK>` + msh + `<ACK.X><MSA/><ACK.Y><ERR/></ACK.Y></ACK.X><ZZZ/></ACK>`,
			"MSH|^~\\&|||||||ACK\rMSA\rERR\rZZZ\r"},
		{"comments and character references", `<?xml version="1.0"?><!-- c --><ACK>` + msh + `<NTE><NTE.3>&#65;&#x42;&lt;</NTE.3></NTE></ACK>`,
			"MSH|^~\\&|||||||ACK\rNTE|||AB<\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v2xml.DecodeOptions{}.ER7([]byte(tt.doc))
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}
}
