package nahln_test

import (
	"testing"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/nahln"
)

// TestCheckAgreesWithValidate builds a report for every program the package
// knows, with a named and an unnamed animal, and requires no problem from
// either nahln.ResultBase.Check or hl7.Validate: what Build writes by
// default meets both the NAHLN profile and the standard.
func TestCheckAgreesWithValidate(t *testing.T) {
	t.Parallel()
	for _, p := range nahln.Programs {
		for _, name := range []string{"Bossie34", ""} {
			t.Run(p.Name+"/name="+name, func(t *testing.T) {
				t.Parallel()
				r := sampleReport()
				r.Program = p
				r.Animal.Name = name
				// The sample's "AIN" is not in HL7 table 0203, which
				// hl7.Validate reports (a warning) and the NAHLN profile
				// does not check; "PN" (person number) is.
				r.Animal.ID.Type = "PN"
				m, err := nahln.Build(r)
				if err != nil {
					t.Fatal(err)
				}
				for _, pr := range nahln.ResultBase.Check(m) {
					t.Errorf("Check: %v", pr)
				}
				for _, pr := range hl7.Validate(m) {
					t.Errorf("Validate: %v", pr)
				}
				if got, _ := m.Get("ORC-4"); got != p.PlacerGroup {
					t.Errorf("ORC-4 = %q, want the placer group %q", got, p.PlacerGroup)
				}
			})
		}
	}
}

// TestBuildDefaults checks each default Build writes and that it can be
// overridden or omitted.
func TestBuildDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		defaults nahln.Defaults
		want     map[string]string
	}{
		{"NAHLN-O-MATIC", nahln.Defaults{}, map[string]string{
			"PV1-2": "C", "ROL-2": "UC", "ROL[2]-2": "UC", "PID-5": "NA", "PID-30": "N",
			"SPM-11": "P^Patient^HL70369", "ORC-1": "SC", "ORC-4": "AI", "ORC-5": "CM",
		}},
		{"overridden", nahln.Defaults{
			PatientClass: "N", RoleAction: "AD", UnnamedAnimal: "Unnamed", DeathIndicator: "Y",
			SpecimenRole: nahln.Code{Code: "L", Text: "Pooled", System: "HL70369"}, OrderControl: "RE", OrderStatus: "IP",
		}, map[string]string{
			"PV1-2": "N", "ROL-2": "AD", "PID-5": "Unnamed", "PID-30": "Y",
			"SPM-11": "L^Pooled^HL70369", "ORC-1": "RE", "ORC-5": "IP",
		}},
		{"omitted", nahln.Defaults{
			PatientClass: nahln.Omit, RoleAction: nahln.Omit, UnnamedAnimal: nahln.Omit, DeathIndicator: nahln.Omit,
			SpecimenRole: nahln.Code{Code: nahln.Omit}, OmitORC: true,
		}, map[string]string{
			"PV1-2": "", "ROL-2": "", "PID-5": "", "PID-30": "", "SPM-11": "", "ORC-1": "",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sampleReport()
			r.Animal.Name = ""
			r.Program = nahln.Programs[0]
			r.Defaults = tt.defaults
			m, err := nahln.Build(r)
			if err != nil {
				t.Fatal(err)
			}
			for path, want := range tt.want {
				v, err := m.Value(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := string(v.Raw()); got != want {
					t.Errorf("%s = %q, want %q", path, got, want)
				}
			}
		})
	}
}
