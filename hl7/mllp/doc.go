// Package mllp carries HL7 v2 messages over TCP with the Minimal Lower Layer
// Protocol: each message travels as one frame, a 0x0B byte, the message, and
// 0x1C 0x0D (HL7 v2 Implementation Guide, appendix C). The receiver answers
// every message with an acknowledgment on the same connection.
//
// # Framing
//
// Reader and Writer work on any byte stream. A Reader returns one payload at a
// time, refuses frames longer than its maximum size as soon as the limit is
// passed (so a peer that never ends a frame costs bounded memory), and skips
// the bytes senders commonly leave between frames; its documentation lists
// exactly what it tolerates. A Writer writes each frame in one Write call and
// refuses payloads holding a block character.
//
// # Receiving
//
// A Server accepts connections, plain or TLS (mutual TLS through its
// tls.Config), parses each message with the hl7 package and passes it to a
// HandlerFunc, whose response it sends back. The Server builds the
// acknowledgment itself when the handler returns none (AA), fails or panics
// (AE), or when the message does not parse (AR, built from the MSH fields
// hl7.ReadHeader still recovers); in enhanced acknowledgment mode it answers
// CA, CE or CR as MSH-15 asks. Every message that reaches the handler gets
// exactly one answer, whatever its MSH-18 says: common spellings such as
// "ISO-8859-1" are mapped to HL7 table 0211 names (Server.CharsetAliases)
// and echoed as the sender wrote them. A frame holding several messages is
// split, and each message handled and answered in order; with
// Server.RejectMultipleMessages the frame is rejected instead. Shutdown stops it gracefully, letting
// messages being handled finish; its log names control IDs, sizes and
// addresses and never the content of a message.
//
// # Sending
//
// A Client sends one message at a time over one connection and returns the
// acknowledgment whose MSA-2 matches the message's MSH-10. A broken
// connection or an overdue acknowledgment is retried on a new connection
// after a jittered, growing pause, until Client.MaxAttempts or the context
// ends it. Delivery is therefore at least once; receivers recognise
// duplicates by MSH-10.
package mllp
