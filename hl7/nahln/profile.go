package nahln

import (
	"fmt"
	"strings"

	"github.com/vetlink/vetlink/hl7"
)

// Profile is a NAHLN message profile: the MSH-21 identifier a message
// declares and the rules Check applies.
type Profile struct {
	// ID and OID are MSH-21.1 and MSH-21.3 (MSH-21.4 is "ISO").
	ID, OID string
	// OIDPrefix is the arc every OID of OIDFields must be on: the arc
	// itself (without the final dot) or an OID starting with OIDPrefix.
	OIDPrefix string
	// OIDFields are the HD fields that must carry an ISO OID under
	// OIDPrefix (HD.2, with HD.3 "ISO").
	OIDFields []string
	// Programs are the programs whose placer group (ORC-4.1) decides
	// whether OBR-31 is required; nil means the package's Programs.
	Programs []Program
}

// ResultBase is the NAHLN result profile NAHLNResultBaseV2.0 (MSH-21 as
// published in NAHLN's v2.6 message profile; see the package
// documentation). Requiring an OID under 2.16.840.1.113883.3.5. in all of
// MSH-3 to MSH-6 is this package's reading, not a confirmed NAHLN rule:
// the published profile requires MSH-4 and MSH-6 with OIDs and shows
// examples under that arc. Narrow OIDFields if your onboarding says so.
var ResultBase = Profile{
	ID:        "NAHLNResultBaseV2.0",
	OID:       "2.16.840.1.113883.3.5.9",
	OIDPrefix: "2.16.840.1.113883.3.5.",
	OIDFields: []string{"MSH-3", "MSH-4", "MSH-5", "MSH-6"},
}

// Check applies the profile to m and returns every problem found, in
// message order within each rule, each with its HL7 location and byte
// offset; nil means the message conforms. Problems have severity E,
// except segments the OPU_R25 structure does not contain (W). The rules:
//
//   - The message follows the v2.6 OPU_R25 structure (hl7.LookupStructure):
//     the required segments and groups are there, in order.
//   - MSH-9 is OPU^R25^OPU_R25 and MSH-12 is 2.6; MSH-7, MSH-10 and MSH-11
//     are valued; MSH-21 names the profile.
//   - The OIDFields carry OIDs under OIDPrefix.
//   - PV1-19 (accession) is valued; ROL-3 is valued in every ROL.
//   - There is an NK1 (owner) with NK1-3.
//   - PID-3.1 (animal ID), PID-5 (name; HL7 requires it, and Build
//     writes "NA" for an unnamed animal) and PID-35 (species, SNOMED CT)
//     are valued.
//   - Every SPM has SPM-4 in SNOMED CT; every OBR has OBR-4 in LOINC,
//     and OBR-31 when the program named by ORC-4.1 has ReasonRequired
//     (see Programs: the surveillance programs do, DIAG does not, and a
//     message naming no known program needs none); every OBX has OBX-3 in LOINC, OBX-11, and an OBX-5 that
//     fits OBX-2: CWE coded in SNOMED CT, NM with a UCUM unit in OBX-6.
func (p Profile) Check(m *hl7.Message) []hl7.Problem {
	c := &checker{m: m}
	c.equal("MSH-9.1", "OPU", hl7.CodeUnsupportedMessageType)
	c.equal("MSH-9.2", "R25", hl7.CodeUnsupportedEvent)
	c.equal("MSH-9.3", "OPU_R25", hl7.CodeUnsupportedMessageType)
	c.equal("MSH-12", "2.6", hl7.CodeUnsupportedVersion)
	for _, f := range []string{"MSH-7", "MSH-10", "MSH-11"} {
		c.required(f)
	}
	c.equal("MSH-21.1", p.ID, hl7.CodeTableValueNotFound)
	c.equal("MSH-21.3", p.OID, hl7.CodeTableValueNotFound)
	c.equal("MSH-21.4", "ISO", hl7.CodeTableValueNotFound)
	for _, f := range p.OIDFields {
		oid := c.get(f + ".2")
		switch {
		case oid == "":
			c.add(f+".2", hl7.CodeRequiredFieldMissing, "an OID is required")
		case !strings.HasPrefix(oid, p.OIDPrefix) && oid != strings.TrimSuffix(p.OIDPrefix, "."):
			c.add(f+".2", hl7.CodeTableValueNotFound, fmt.Sprintf("OID %s is not under %s", oid, p.OIDPrefix))
		}
		c.equal(f+".3", "ISO", hl7.CodeTableValueNotFound)
	}

	// The OPU_R25 grammar: required segments and groups, order, segments
	// it does not contain (warnings; Z-segments are allowed anywhere).
	if st, ok := hl7.LookupStructure("OPU_R25", "2.6"); ok {
		c.problems = append(c.problems, (&hl7.Profile{Structure: st, SkipFieldDefinitions: true}).Validate(m)...)
	}
	if c.count("PV1") > 0 {
		c.required("PV1-19.1")
	}
	for i := 1; i <= c.count("ROL"); i++ {
		c.required(fmt.Sprintf("ROL[%d]-3.1", i))
	}
	for i := 1; i <= c.count("NK1"); i++ {
		c.required(fmt.Sprintf("NK1[%d]-3.1", i))
	}
	c.segmentRequired("PID")
	for i := 1; i <= c.count("PID"); i++ {
		c.required(fmt.Sprintf("PID[%d]-3.1", i))
		c.required(fmt.Sprintf("PID[%d]-5.1", i))
		c.coded(fmt.Sprintf("PID[%d]-35", i), SNOMEDCT)
	}
	for i := 1; i <= c.count("SPM"); i++ {
		c.coded(fmt.Sprintf("SPM[%d]-4", i), SNOMEDCT)
	}
	reason := p.reasonRequired(m)
	for i := 1; i <= c.count("OBR"); i++ {
		c.coded(fmt.Sprintf("OBR[%d]-4", i), LOINC)
		if reason {
			c.required(fmt.Sprintf("OBR[%d]-31.1", i))
		}
	}
	for i := 1; i <= c.count("OBX"); i++ {
		obx := fmt.Sprintf("OBX[%d]-", i)
		c.coded(obx+"3", LOINC)
		c.required(obx + "11")
		status := c.get(obx + "11")
		if status == "X" || status == "D" {
			continue // not done, deleted: no value expected
		}
		switch typ := c.get(obx + "2"); typ {
		case "CWE", "CE":
			c.coded(obx+"5", SNOMEDCT)
		case "NM":
			c.required(obx + "5")
			if !decimal.MatchString(c.get(obx + "5")) {
				c.add(obx+"5", hl7.CodeDataType, "NM value must be a decimal number")
			}
			c.coded(obx+"6", UCUM)
		case "SN", "ST", "TX", "FT":
			c.required(obx + "5")
		case "":
			c.add(obx+"2", hl7.CodeRequiredFieldMissing, "value type is required")
		default:
			c.add(obx+"2", hl7.CodeTableValueNotFound, "value type "+typ+" is not used by NAHLN results")
		}
	}
	return c.problems
}

// reasonRequired reports whether the program named by the placer group of
// any ORC (ORC-4.1) requires OBR-31.
func (p Profile) reasonRequired(m *hl7.Message) bool {
	programs := p.Programs
	if programs == nil {
		programs = Programs
	}
	for i := range m.SegmentsNamed("ORC") {
		group, _ := m.Get(fmt.Sprintf("ORC[%d]-4.1", i+1))
		if group == "" {
			continue
		}
		for _, pr := range programs {
			if pr.PlacerGroup == group && pr.ReasonRequired {
				return true
			}
		}
	}
	return false
}

type checker struct {
	m        *hl7.Message
	problems []hl7.Problem
}

func (c *checker) get(path string) string {
	s, _ := c.m.Get(path)
	return s
}

func (c *checker) count(id string) int { return len(c.m.SegmentsNamed(id)) }

func (c *checker) add(path string, code hl7.ErrorCode, msg string) {
	loc, _ := hl7.ParseLocation(path)
	if loc.SegmentSeq == 0 {
		loc.SegmentSeq = 1 // so ERR-2 names the segment occurrence
	}
	off := -1
	if v, err := c.m.Value(path); err == nil && v.Present() {
		off = v.Offset()
	} else if s, ok := c.m.FindSegment(loc.Segment, max(loc.SegmentSeq, 1)); ok {
		off = s.Offset()
	}
	c.problems = append(c.problems, hl7.Problem{Location: loc, Offset: off, Code: code, Severity: hl7.SeverityError, Msg: msg})
}

func (c *checker) required(path string) {
	if c.get(path) == "" {
		c.add(path, hl7.CodeRequiredFieldMissing, "required by the NAHLN profile")
	}
}

func (c *checker) equal(path, want string, code hl7.ErrorCode) {
	got := c.get(path)
	switch {
	case got == "":
		c.add(path, hl7.CodeRequiredFieldMissing, "must be "+want)
	case got != want:
		c.add(path, code, fmt.Sprintf("is %s, must be %s", got, want))
	}
}

// coded checks a CWE field: a code in the given coding system.
func (c *checker) coded(path, system string) {
	if c.get(path+".1") == "" {
		c.add(path+".1", hl7.CodeRequiredFieldMissing, "a "+system+" code is required")
		return
	}
	if got := c.get(path + ".3"); got != system {
		c.add(path+".3", hl7.CodeTableValueNotFound, fmt.Sprintf("coding system is %q, must be %s", got, system))
	}
}

func (c *checker) segmentRequired(id string) {
	if c.count(id) == 0 {
		c.problems = append(c.problems, hl7.Problem{Location: hl7.Location{Segment: id}, Offset: -1, Code: hl7.CodeSegmentSequence, Severity: hl7.SeverityError, Msg: id + " segment is required"})
	}
}
