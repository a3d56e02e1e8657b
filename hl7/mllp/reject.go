package mllp

import (
	"errors"
	"strconv"

	"github.com/vetlink/vetlink/hl7"
)

// rejectACK builds the rejection (AR, or CR in enhanced mode) of a message
// that did not parse or was too large, with one ERR segment for reason. hl7.NewACK needs a parsed message, so the MSH fields
// ReadHeader recovered are rebuilt into a one-segment message first; when
// not even the header could be read (haveHeader false), the rejection has
// default delimiters and an empty MSA-2, which at least tells a waiting
// sender that something arrived and was refused. It returns nil, nil when
// an enhanced-mode sender asked for no accept acknowledgment on error.
func (s *Server) rejectACK(hdr hl7.Header, haveHeader bool, reason hl7.AckError) (*hl7.Message, error) {
	if !haveHeader {
		hdr = hl7.Header{}
	}
	if hdr.EnhancedMode() && !hdr.WantsAcceptACK(false) {
		return nil, nil
	}
	orig, err := headerMessage(hdr)
	if err != nil {
		// Delimiters or values the builder refuses: answer without them.
		orig, err = headerMessage(hl7.Header{ControlID: hdr.ControlID})
		if err != nil {
			return nil, err
		}
	}
	opts := s.ACKOptions
	opts.Errors = append(opts.Errors[:len(opts.Errors):len(opts.Errors)], reason)
	return hl7.NewACK(orig, rejectCode(hdr), opts)
}

// headerACK acknowledges with code a message known only by its routing
// fields, when hl7.NewACK cannot answer the parsed message itself.
func headerACK(hdr hl7.Header, code hl7.AckCode, opts hl7.ACKOptions) (*hl7.Message, error) {
	orig, err := headerMessage(hdr)
	if err != nil {
		orig, err = headerMessage(hl7.Header{ControlID: hdr.ControlID})
		if err != nil {
			return nil, err
		}
	}
	return hl7.NewACK(orig, code, opts)
}

// headerMessage rebuilds an MSH segment from the routing fields of hdr.
func headerMessage(hdr hl7.Header) (*hl7.Message, error) {
	b := hl7.NewBuilder(hdr.Delimiters)
	msh := b.Segment("MSH")
	for f, hd := range map[string]hl7.HD{"3": hdr.SendingApplication, "4": hdr.SendingFacility, "5": hdr.ReceivingApplication, "6": hdr.ReceivingFacility} {
		msh.Set(f+".1", hd.NamespaceID).Set(f+".2", hd.UniversalID).Set(f+".3", hd.UniversalIDType)
	}
	msh.Set("7", hdr.DateTime)
	msh.SetField(9, hdr.MessageType, hdr.TriggerEvent, hdr.MessageStructure)
	msh.Set("10", hdr.ControlID).Set("11", hdr.ProcessingID).Set("12", hdr.Version)
	msh.Set("15", hdr.AcceptAckType).Set("16", hdr.ApplicationAckType)
	return b.Build()
}

// parseAckError describes a parse failure for the sender: its location and
// the class of error, not the parser's detailed text.
func parseAckError(err error) hl7.AckError {
	e := hl7.AckError{Code: hl7.CodeDataType, Text: "message could not be parsed"}
	var perr *hl7.ParseError
	if errors.As(err, &perr) {
		e.Location = perr.Location
		e.Text = perr.Err.Error()
	}
	return e
}

// multipleAckError describes a frame refused because it holds n messages.
func multipleAckError(n int) hl7.AckError {
	return hl7.AckError{
		Location: hl7.Location{Segment: "MSH", SegmentSeq: 2},
		Code:     hl7.CodeSegmentSequence,
		Text:     "frame holds " + strconv.Itoa(n) + " messages; send one message per frame",
	}
}

// tooLargeAckError describes a message refused for its size.
func tooLargeAckError(limit int) hl7.AckError {
	return hl7.AckError{
		Code: hl7.CodeValueTooLong,
		Text: "message longer than the receiver's limit of " + strconv.Itoa(limit) + " bytes",
	}
}
