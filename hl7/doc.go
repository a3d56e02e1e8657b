// Package hl7 reads, writes, validates and acknowledges HL7 v2 messages in
// ER7, the pipe-delimited encoding.
//
// # Parsing
//
// Parse (strict) and ParseOptions.Parse (lenient line endings, character
// set override) index a message without copying it. The parse is one
// vector scan that finds the segments and locates MSH-18; the fields of
// every segment are indexed in one more pass the first time a field is
// read (doing it in the parse would triple its cost, see Message).
// Repetitions, components and subcomponents are found inside a field, and
// escape sequences and character sets decoded, only when a value is read.
// The message keeps the input, so Message.Bytes reproduces it byte for
// byte: empty repetitions, trailing empty fields, Z-segments and unknown
// segments are never dropped or reordered. ParseInto reuses a Message and
// its index storage, for servers that parse one message after another.
//
// The delimiters come from MSH-1 and MSH-2 (FHS and BHS in batches); any
// legal set is accepted, including the truncation character of v2.7.
// Field numbers follow the standard everywhere, in paths and in error
// locations: MSH-1 is the field separator, MSH-2 the encoding characters,
// MSH-9 the message type.
//
// MSH-18 names the character set by HL7 table 0211 ("8859/1"); senders
// often write "ISO-8859-1", "WINDOWS-1252" or "UTF8" instead.
// ParseOptions.CharsetAliases maps such spellings (DefaultCharsetAliases
// has the common ones, and mllp.Server uses it by default); the message
// keeps the sender's text, so its acknowledgment echoes it.
//
// # Reading values
//
// Paths are 1-based: "PID-3[2].1" is the first component of the second
// repetition of PID-3; "OBX[2]-5" is OBX-5 of the second OBX. Message.Get
// returns decoded text, Message.Value a view with the raw bytes and the
// byte offset. ReadHeader reads only MSH, in constant time, for routing and
// acknowledging before a full parse.
//
// To read everything, range over Segment.AllFields and Value.AllReps,
// AllComponents and AllSubs: each scans its value once and allocates
// nothing, where the indexed loop (for r := 1; r <= f.Reps(); r++) rescans
// on every call; Segment.Decode returns a whole segment decoded.
//
// Parse takes one message: a second MSH (or BHS, FHS) in a message that
// starts with MSH is reported as ErrMultipleMessages at its offset, the
// start of another message; Reader splits such input.
//
// # Writing
//
// Builder constructs messages from plain text and escapes it with its
// delimiters; Message.Set and Message.SetRaw change a parsed message.
// Escape and Unescape convert single values.
//
// # Batches and files
//
// Reader streams the messages of a file (FHS ... FTS), a batch (BHS ...
// BTS) or a bare sequence of MSH messages, holding one message at a time
// and checking the trailer counts; Writer writes them and refuses a
// trailer whose count is wrong.
//
// # Validation
//
// Parsing never validates. Validate checks a message against the
// standard: its structure (group grammars for ACK, ORM^O01, ORU^R01 and
// OPU^R25), required fields, data types, lengths, table values and escape
// sequences. A Profile adds the constraints of an interface specification.
// Every problem carries an HL7 location and a byte offset, and unexpected
// segments are reported, never dropped. Structure.Match also gives group
// paths such as "PATIENT_RESULT/ORDER_OBSERVATION[2]/OBX-5".
//
// # Acknowledgments
//
// NewACK answers a message in original or enhanced mode (AA, AE, AR, CA,
// CE, CR) with sender and receiver swapped, MSA-2 echoing MSH-10 and ERR
// segments locating each error; NewACKFromProblems turns validation
// problems into such an ACK.
package hl7
