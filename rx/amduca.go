package rx

import (
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// prohibitedUse returns the AMDUCA prohibitions that forbid the protocol's
// treatments: every definite one when a is nil (at prescribing, where the
// animal is not yet known), and every one that applies to animal a on date
// on otherwise (at enrollment, where conditional prohibitions such as
// phenylbutazone in female dairy cattle of 20 months or more are resolved).
// It returns "" when the use is permitted.
func prohibitedUse(p *protocol.Protocol, labels []protocol.LabelClaim, a *protocol.Animal, on time.Time) string {
	var why []string
	for _, c := range protocol.Classify(p, labels, protocol.Use{}) {
		var fs []protocol.Finding
		if a == nil {
			fs = c.Findings
		} else {
			fs = protocol.CheckProhibitedUse(c, *a, on)
		}
		for _, f := range fs {
			if f.Prohibited {
				why = append(why, f.Field+": "+f.Why+" ("+f.Citation+")")
			}
		}
	}
	return strings.Join(why, "; ")
}
