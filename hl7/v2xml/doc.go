// Package v2xml converts HL7 v2 messages between ER7 (the pipe encoding of
// package hl7) and the HL7 Version 2 XML Encoding Syntax ("v2.xml").
//
// # Element naming
//
// The root element is the message structure (MSH-9.3, e.g. OPU_R25) in the
// namespace urn:hl7-org:v2xml. Segment groups are elements named after the
// structure and the group, OPU_R25.ACCESSION_DETAIL; segments are elements
// named by their ID; fields are SEG.n; components and subcomponents are
// named by the data type of their parent: MSH.3 > HD.1, PID.5 > XPN.1 >
// FN.1. A repeating field is a repeated element. OBX-5 takes its data type
// from OBX-2. Data types come from small per-version tables (see
// FieldType); a field or component of unknown type that holds components
// gets child elements named after their parent with a position suffix
// (ZPI.2 > ZPI.2.1). Escape sequences that stand for a delimiter become
// that character in the XML text; every other escape sequence (\.br\,
// \H\, \X0D0A\, \Zxx\) becomes an <escape V="..."/> element.
//
// Groups come from the message-structure definitions of package hl7
// (hl7.LookupStructure: OPU_R25 v2.6, ORU_R01 v2.3.1 and v2.5.1, ORM_O01,
// ACK) and the group paths its matcher gives each segment. A message of
// another structure is encoded with its segments directly under the root.
// Segments the definition does not place, Z-segments included, stay in
// their place inside the innermost open group: nothing is dropped or
// reordered.
//
// # Batches and files
//
// MarshalBatch and BatchER7 convert an ER7 batch ([FHS] {[BHS] {message}
// [BTS]} [FTS], or a bare stream of messages) to and from one document:
// a FILE element holding FHS, one BATCH element per batch and FTS, or a
// BATCH root holding BHS, the message elements and BTS. Header and trailer
// segments are encoded like any segment (FHS.1 and FHS.2 are the
// delimiters, never split). The wrapper names FILE and BATCH follow the
// v2.xml batch schema as we understand it; the batch section of the
// specification (v2.xml Release 2, section 2.7.4) could not be read from
// here, so they are not confirmed against its text. The decoder never
// reads one message as a batch or the reverse.
//
// # Exactness
//
// Unmarshal is the inverse of Marshal: for a message whose segments all end
// with CR, Marshal then ER7 gives back the same bytes. To that end an
// element that is present but empty (<PID.5/>) records a trailing empty
// field, repetition, component or subcomponent, and the decoder places
// every part by the number in its name, never by its data type. Values
// holding bare control characters, invalid UTF-8 or an unterminated escape
// sequence cannot be expressed in XML 1.0 and are rejected by Marshal with
// ErrUnencodable.
//
// # Safety
//
// The decoder accepts UTF-8 only, rejects any DOCTYPE (so no entity can be
// declared, let alone expanded), knows only the five predefined entities
// and character references, and bounds the input size and the element
// depth (DecodeOptions).
package v2xml
