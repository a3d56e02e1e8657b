package mllp

// Block characters of the Minimal Lower Layer Protocol, HL7 v2 Implementation
// Guide appendix C ("MLLP release 1"; release 2 uses the same block). A frame
// is StartBlock, the payload, EndBlock and CarriageReturn; the payload must not
// contain StartBlock or EndBlock.
const (
	StartBlock     byte = 0x0B // <VT>, starts a frame
	EndBlock       byte = 0x1C // <FS>, ends a frame's payload
	CarriageReturn byte = 0x0D // <CR>, follows EndBlock
)

// DefaultMaxFrameSize is the payload limit of a Reader, Server or Client whose
// limit is zero. It is large enough for result messages that embed a PDF
// report in OBX-5 as base64 and small enough that a peer cannot make the
// process hold gigabytes.
const DefaultMaxFrameSize = 16 << 20 // 16 MiB

// DefaultPort is the port IANA registered for HL7 over MLLP ("hl7", 2575/tcp).
const DefaultPort = "2575"
