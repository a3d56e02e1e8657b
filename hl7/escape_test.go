package hl7

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	delimsDefault = DefaultDelimiters                                                                                        // |^~\&
	delimsHash    = Delimiters{Field: '#', Component: '$', Repetition: '*', Escape: '@', Subcomponent: '%', Truncation: '!'} // #$*@%!
	delimsBang    = Delimiters{Field: '!', Component: ':', Repetition: ';', Escape: '?', Subcomponent: '/', Truncation: '='} // !:;?/=
)

// TestUnescapeThreeDelimiterSets decodes every kind of escape sequence
// written with each of three delimiter sets.
func TestUnescapeThreeDelimiterSets(t *testing.T) {
	tests := []struct {
		name                        string
		rawDef, rawHash, rawBang    string
		wantDef, wantHash, wantBang string
	}{
		{"field", `a\F\b`, `a@F@b`, `a?F?b`, "a|b", "a#b", "a!b"},
		{"component subcomponent repetition escape", `\S\\T\\R\\E\`, `@S@@T@@R@@E@`, `?S??T??R??E?`, `^&~\`, "$%*@", ":/;?"},
		{"truncation", `\P\`, `@P@`, `?P?`, `\P\`, "!", "="},
		{"hex", `\X41\x`, `@X41@x`, `?X41?x`, "Ax", "Ax", "Ax"},
		{"hex several bytes lower case", `\X48c3a9\`, `@X48c3a9@`, `?X48c3a9?`, "Hé", "Hé", "Hé"},
		{"hex CR two digits", `a\X0D\b`, `a@X0D@b`, `a?X0D?b`, "a\rb", "a\rb", "a\rb"},
		{"hex CR four digits", `a\X000d\b`, `a@X000d@b`, `a?X000d?b`, "a\rb", "a\rb", "a\rb"},
		{"line break", `one\.br\two`, `one@.br@two`, `one?.br?two`, "one\ntwo", "one\ntwo", "one\ntwo"},
		{"vertical space", `a\.sp 3\b`, `a@.sp 3@b`, `a?.sp 3?b`, "a\n\n\nb", "a\n\n\nb", "a\n\n\nb"},
		{"vertical space default", `a\.sp\b`, `a@.sp@b`, `a?.sp?b`, "a\nb", "a\nb", "a\nb"},
		{"skip spaces", `a\.sk 2\b`, `a@.sk 2@b`, `a?.sk 2?b`, "a  b", "a  b", "a  b"},
		{"indent and temporary indent", `\.in +4\a\.ti -2\b`, `@.in +4@a@.ti -2@b`, `?.in +4?a?.ti -2?b`, "ab", "ab", "ab"},
		{"centre fill no-fill", `\.ce\T\.fi\\.nf\x`, `@.ce@T@.fi@@.nf@x`, `?.ce?T?.fi??.nf?x`, "\nTx", "\nTx", "\nTx"},
		{"highlight", `\H\bold\N\ plain`, `@H@bold@N@ plain`, `?H?bold?N? plain`, "bold plain", "bold plain", "bold plain"},
		{"single-byte set switch", `\C2842\a`, `@C2842@a`, `?C2842?a`, "\x1b(Ba", "\x1b(Ba", "\x1b(Ba"},
		{"multi-byte set switch", `\M2442\`, `@M2442@`, `?M2442?`, "\x1b$B", "\x1b$B", "\x1b$B"},
		{"multi-byte set switch three", `\M242844\`, `@M242844@`, `?M242844?`, "\x1b$(D", "\x1b$(D", "\x1b$(D"},
		{"locally defined kept", `\Zvet1\`, `@Zvet1@`, `?Zvet1?`, `\Zvet1\`, "@Zvet1@", "?Zvet1?"},
		{"unknown kept", `\Q\`, `@Q@`, `?Q?`, `\Q\`, "@Q@", "?Q?"},
		{"odd hex kept", `\X4\`, `@X4@`, `?X4?`, `\X4\`, "@X4@", "?X4?"},
		{"bad hex kept", `\XZZ\`, `@XZZ@`, `?XZZ?`, `\XZZ\`, "@XZZ@", "?XZZ?"},
		{"unterminated kept", `abc\F`, `abc@F`, `abc?F`, `abc\F`, "abc@F", "abc?F"},
		{"empty sequence kept", `a\\b`, `a@@b`, `a??b`, `a\\b`, "a@@b", "a??b"},
		{"no escapes", `plain text`, `plain text`, `plain text`, "plain text", "plain text", "plain text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.wantDef, string(Unescape([]byte(tt.rawDef), delimsDefault)), "|^~\\&")
			require.Equal(t, tt.wantHash, string(Unescape([]byte(tt.rawHash), delimsHash)), "#$*@%!")
			require.Equal(t, tt.wantBang, string(Unescape([]byte(tt.rawBang), delimsBang)), "!:;?/=")
		})
	}
}

func TestEscape(t *testing.T) {
	const text = "a|b^c&d~e\\f#g$h%i*j@k!l\r\nm"
	tests := []struct {
		name string
		d    Delimiters
		want string
	}{
		{"default", delimsDefault, `a\F\b\S\c\T\d\R\e\E\f#g$h%i*j@k!l\X0D\\X0A\m`},
		{"hash", delimsHash, `a|b^c&d~e\f@F@g@S@h@T@i@R@j@E@k@P@l@X0D@@X0A@m`},
		{"bang", delimsBang, `a|b^c&d~e\f#g$h%i*j@k?F?l?X0D??X0A?m`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Escape([]byte(text), tt.d))
			require.Equal(t, tt.want, got)
			require.Equal(t, text, string(Unescape([]byte(got), tt.d)))
		})
	}
}

// TestEscapesInMessage reads escapes through Get with the message's own
// delimiters and writes them back with Set.
func TestEscapesInMessage(t *testing.T) {
	m, err := Parse([]byte("MSH#$*@%!#A#B#C#D#20260101##ORU$R01#1#P#2.7\rOBX#1#ST#X##a@F@b@S@c@P@d@.br@e\r"))
	require.NoError(t, err)
	got, err := m.Get("OBX-5")
	require.NoError(t, err)
	require.Equal(t, "a#b$c!d\ne", got)

	require.NoError(t, m.Set("OBX-5", "x#y$z!"))
	require.True(t, strings.HasSuffix(m.String(), "OBX#1#ST#X##x@F@y@S@z@P@\r"), m.String())
	got, _ = m.Get("OBX-5")
	require.Equal(t, "x#y$z!", got)
}
