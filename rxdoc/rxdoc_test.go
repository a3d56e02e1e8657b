package rxdoc_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rxdoc"
)

var made = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// ceftiofur is an extra-label treatment: on the label for respiratory
// disease at 1.1 to 2.2 mg/kg, here given for metritis at a longer
// course, with the veterinarian's longer withdrawal.
const ceftiofur = `{"id": "T-2", "product": "Excenel RTU EZ (ceftiofur hydrochloride) 50 mg/mL",
  "_dose": "2.2 mg per kg IM every 24 hours for 5 doses", "route": "IM",
  "eligibilities": [{"id": 3, "name": "Lactating dairy cows", "fdaSpecies": "DairyCattle"}],
  "sequenceFunction": {"_type": "models.SeqPerDay", "frequency": 1, "totalDoses": 5},
  "sizeFunction": {"_type": "models.DoseByWeightFunction", "dose": {"quantity": {"dimension": "Mass", "value": 2.2, "symbol": "mg"}}, "perUnit": {"dimension": "Mass", "value": 1, "symbol": "kg"}},
  "wtMeatHrs": 240, "wtMilkHrs": 96, "wtNote": "Extended withdrawal: 5 doses instead of the label's 3.", "amduca": "OFFLABEL"}`

func fixture(t testing.TB) rxdoc.Prescription {
	t.Helper()
	b, err := os.ReadFile("../protocol/testdata/protocol_flunixin.json")
	require.NoError(t, err)
	var p protocol.Protocol
	require.NoError(t, json.Unmarshal(b, &p))
	var ext protocol.Treatment
	require.NoError(t, json.Unmarshal([]byte(ceftiofur), &ext))
	p.Treatments = append(p.Treatments, ext)
	p.Instructions = &protocol.Instructions{Restrictions: "<p>Not for <b>calves</b> to be processed for veal.</p>"}
	return rxdoc.Prescription{
		Rx: rx.Prescription{ID: "RX-4711", Protocol: p, VOR: 7, MOR: 12, Refills: 2, FillsUsed: 1,
			Expiration: time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC), Created: time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC), Status: rx.Prescribed},
		Prescriber: rxdoc.Party{Name: "Ann Herd, DVM", Business: "Valley Large Animal Clinic",
			Address: []string{"12 Barn Road", "Ithaca, NY 14850"}, Phone: "607-555-0142", Email: "ann@valleyvets.example"},
		Client: rxdoc.Party{Name: "Bob Miller", Business: "Miller Dairy LLC", Address: []string{"400 County Route 9", "Dryden, NY 13053"}},
		Findings: []protocol.Classification{
			{Treatment: 0, Class: protocol.OnLabel},
			{Treatment: 1, Class: protocol.OffLabel, Findings: []protocol.Finding{{Treatment: 1, Field: "treatments[1].sequenceFunction",
				Deviation: protocol.DeviatesDuration, Why: "5 doses where the label allows 3", Citation: "21 CFR 530.3(a)"}}},
		},
		Animals: []string{"Bossie34", "Daisy7"},
		Made:    made,
	}
}

// pdfText reads a PDF's text back with pdftotext (poppler-utils), white
// space collapsed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed; .ci/run installs it")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(f, pdf, 0o644))
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", f, "-").Output()
	require.NoError(t, err)
	return strings.Join(strings.Fields(string(out)), " ")
}

// artifact renders the first page of pdf to artifacts/name-1.png at the
// repository root, for a person to look at.
func artifact(t *testing.T, pdf []byte, name string) {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed; .ci/run installs it")
	}
	dir := filepath.Join("..", "artifacts")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	f := filepath.Join(t.TempDir(), name+".pdf")
	require.NoError(t, os.WriteFile(f, pdf, 0o644))
	out, err := exec.Command("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", f, filepath.Join(dir, name)).CombinedOutput()
	require.NoError(t, err, string(out))
	png, err := os.ReadFile(filepath.Join(dir, name+".png"))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "a PNG")
	require.Greater(t, len(png), 20_000, "a page with text on it, not a blank one")
	t.Logf("first page: artifacts/%s.png", name)
}

func TestWritePrescriptionPlacesEveryElement(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, rxdoc.WritePrescription(&b, fixture(t)))
	require.True(t, bytes.HasPrefix(b.Bytes(), []byte("%PDF-")))
	text := pdfText(t, b.Bytes())
	artifact(t, b.Bytes(), "rxdoc-prescription")

	tests := []struct{ element, want string }{
		{"title", "Veterinary prescription Prescription RX-4711 - PRESCRIBED - written March 14, 2026 08:00 UTC"},
		{"prescriber", "Prescriber Ann Herd, DVM Valley Large Animal Clinic 12 Barn Road Ithaca, NY 14850 Phone: 607-555-0142 E-mail: ann@valleyvets.example"},
		{"client", "Client Bob Miller Miller Dairy LLC 400 County Route 9 Dryden, NY 13053"},
		{"protocol", "Protocol: Flunixin for acute pain and fever"},
		{"refills", "Refills: 2 (two) refills; 3 (three) fills in all, 1 used"},
		{"expiry", "Expires: September 14, 2026 00:00 UTC"},
		{"protocol meat withdrawal", "Meat withdrawal: 96 (ninety-six) hours = 4 (four) days after the last dose"},
		{"protocol milk withdrawal", "Milk withdrawal: 36 (thirty-six) hours after the last dose"},
		{"animals", "Animals treated: Bossie34, Daisy7"},
		{"treatment 1", "Treatment 1: Banamine (flunixin meglumine) 50 mg/mL"},
		{"dose 1", "Dose: 2.2 mg per kg Route: IV"},
		{"frequency 1 words and numbers", "Frequency: once a day (every 24 (twenty-four) hours = 1 (one) day)"},
		{"duration 1 words and numbers", "Duration: 3 (three) doses over 3 (three) days; last dose 48 (forty-eight) hours = 2 (two) days after the first"},
		{"directions 1", "Directions: 2.2 mg per kg IV every 24 hours for 3 doses"},
		{"class 1", "Class / species: Lactating dairy cows (DairyCattle)"},
		{"amduca 1", "AMDUCA: ONLABEL: used as its label directs"},
		{"treatment 2", "Treatment 2: Excenel RTU EZ (ceftiofur hydrochloride) 50 mg/mL"},
		{"duration 2", "Duration: 5 (five) doses over 5 (five) days; last dose 96 (ninety-six) hours = 4 (four) days after the first"},
		{"meat 2", "Meat withdrawal: 240 (two hundred forty) hours = 10 (ten) days after the last dose"},
		{"amduca 2", "AMDUCA: OFFLABEL: extra-label use under AMDUCA (21 CFR 530)"},
		{"finding 2", "Finding: 5 doses where the label allows 3 (21 CFR 530.3(a))"},
		{"530.12 heading", "Extra-label use labeling (21 CFR 530.12)"},
		{"530.12(a) prescriber name and address", "(a) Prescriber: Ann Herd, DVM, 12 Barn Road, Ithaca, NY 14850"},
		{"530.12(b) established name", "(b) Established name: Excenel RTU EZ (ceftiofur hydrochloride) 50 mg/mL"},
		{"530.12(c) class/species and animals", "(c) Directions for use: Class/species: Lactating dairy cows (DairyCattle); animals: Bossie34, Daisy7"},
		{"530.12(c) dose", "Dose: 2.2 mg per kg Frequency: once a day (every 24 (twenty-four) hours = 1 (one) day) Route: IM"},
		{"530.12(c) duration", "Duration of therapy: 5 (five) doses over 5 (five) days"},
		{"530.12(d) cautions", "(d) Cautionary statements: Extra-label use: do not use in animals other than those identified"},
		{"530.12(d) treatment note", "Extended withdrawal: 5 doses instead of the label's 3."},
		{"530.12(e) withdrawal", "(e) Withdrawal time: meat 240 (two hundred forty) hours = 10 (ten) days; milk 96 (ninety-six) hours = 4 (four) days, after the last dose"},
		{"protocol restrictions, HTML removed", "- Not for calves to be processed for veal."},
		{"record keeping", "Keep this prescription and the treatment records for two years (21 CFR 530.5(b))."},
		{"footer", "Prescription RX-4711 - made 2026-03-14 09:30 UTC - page 1 of"},
	}
	for _, tt := range tests {
		t.Run(tt.element, func(t *testing.T) {
			require.Contains(t, text, tt.want)
		})
	}
	// The 530.12 label is given for the extra-label treatment only.
	require.Equal(t, 1, strings.Count(text, "Extra-label use labeling"))
	require.Less(t, strings.Index(text, "Treatment 2:"), strings.Index(text, "(a) Prescriber:"))
}

func TestWritePrescriptionDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, rxdoc.WritePrescription(&a, fixture(t)))
	require.NoError(t, rxdoc.WritePrescription(&b, fixture(t)))
	require.Equal(t, a.Bytes(), b.Bytes(), "the same prescription makes the same bytes")
}

func TestPrescriptionCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(d *rxdoc.Prescription)
		want string
	}{
		{"complete", func(d *rxdoc.Prescription) {}, ""},
		{"no id", func(d *rxdoc.Prescription) { d.Rx.ID = "" }, "prescription id: is required"},
		{"no treatment", func(d *rxdoc.Prescription) { d.Rx.Protocol.Treatments = nil }, "prescription RX-4711: has no treatment"},
		{"no prescriber", func(d *rxdoc.Prescription) { d.Prescriber.Name = " " }, "prescriber name: is required"},
		{"no client", func(d *rxdoc.Prescription) { d.Client.Name = "" }, "client name: is required"},
		{"extra-label without the vet's address", func(d *rxdoc.Prescription) { d.Prescriber.Address = nil },
			"treatment 2 (Excenel RTU EZ (ceftiofur hydrochloride) 50 mg/mL): an extra-label use needs the prescriber's address on its label (21 CFR 530.12(a))"},
		{"on-label needs no address", func(d *rxdoc.Prescription) {
			d.Prescriber.Address = nil
			d.Rx.Protocol.Treatments = d.Rx.Protocol.Treatments[:1]
		}, ""},
		{"extra-label without withdrawal", func(d *rxdoc.Prescription) {
			d.Rx.Protocol.Treatments[1].WtMilkHrs, d.Rx.Protocol.WtMilkHrs = nil, nil
		}, "needs the veterinarian's meat and milk withdrawal times on its label (21 CFR 530.12(e))"},
		{"unclassified is labeled as extra-label", func(d *rxdoc.Prescription) {
			d.Findings = nil
			d.Rx.Protocol.Treatments[0].Amduca = ""
			d.Prescriber.Address = nil
		}, "treatment 1 (Banamine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fixture(t)
			tt.edit(&d)
			var b bytes.Buffer
			err := rxdoc.WritePrescription(&b, d)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, rxdoc.ErrIncomplete)
			require.ErrorContains(t, err, tt.want)
			require.Zero(t, b.Len(), "nothing written")
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "zero"}, {1, "one"}, {13, "thirteen"}, {20, "twenty"}, {21, "twenty-one"}, {96, "ninety-six"},
		{100, "one hundred"}, {240, "two hundred forty"}, {999, "nine hundred ninety-nine"},
		{1000, "one thousand"}, {8760, "eight thousand seven hundred sixty"}, {-3, "minus three"}, {1_000_000, "1000000"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, rxdoc.Words(tt.n), "%d", tt.n)
	}
}

func TestWriteRecords(t *testing.T) {
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	var rows []rx.Record
	for i := range 40 {
		given := from.Add(time.Duration(i) * 12 * time.Hour)
		rows = append(rows, rx.Record{AnimalID: "Bossie34", Head: 1, Species: "DairyCattle", Condition: "Metritis",
			Drug: "Excenel RTU EZ (ceftiofur hydrochloride)", Dose: "1,320 mg", Volume: "26.4 mL", Route: "IM",
			Given: given, Administrator: "Carl Hand", Prescriber: "Ann Herd, DVM", RxID: "RX-4711",
			MeatUntil: given.Add(240 * time.Hour), MilkUntil: given.Add(96 * time.Hour)})
	}
	rows[0].AnimalID, rows[0].Head, rows[0].Members = "Pen 4", 3, []string{"Daisy7", "Rose2", "Molly9"}
	var b bytes.Buffer
	require.NoError(t, rxdoc.WriteRecords(&b, rxdoc.Records{Farm: rxdoc.Party{Name: "Bob Miller", Business: "Miller Dairy LLC"}, From: from, To: to, Rows: rows, Made: made}))
	text := pdfText(t, b.Bytes())
	artifact(t, b.Bytes(), "rxdoc-records")
	for _, want := range []string{
		"Treatment records (21 CFR 530.5)",
		"Bob Miller, Miller Dairy LLC - doses given from 2026-03-01 00:00 to 2026-04-01 00:00 (UTC) - 40 records",
		"Animal Species Condition Drug Dose Route Given Given by Prescriber Meat until Milk until",
		// The first row, its cells wrapped in their columns, line by line:
		// animal, species, condition, drug, dose, route, given, given by,
		// prescriber, meat until, milk until.
		"Pen 4 (3 head): DairyCattle Metritis Excenel RTU EZ 1,320 mg IM 2026-03-01 Carl Hand Ann Herd, 2026-03-11 2026-03-05 " +
			"Daisy7, Rose2, (ceftiofur (26.4 mL) 00:00 DVM 00:00 00:00 Molly9 hydrochloride) (RX-4711) Bossie34",
		// The last row: given 2026-03-20 12:00, meat 10 days and milk 4 days later.
		"Bossie34 DairyCattle Metritis Excenel RTU EZ 1,320 mg IM 2026-03-20 Carl Hand Ann Herd, 2026-03-30 2026-03-24 (ceftiofur (26.4 mL) 12:00 DVM 12:00 12:00",
	} {
		require.Contains(t, text, want)
	}
	pages := regexp.MustCompile(`page \d+ of (\d+)`).FindStringSubmatch(text)
	require.NotNil(t, pages)
	require.NotEqual(t, "1", pages[1], "40 records fill more than one page")
	require.Equal(t, 40, strings.Count(text, "DairyCattle"), "each row once")

	err := rxdoc.WriteRecords(&b, rxdoc.Records{From: to, To: from})
	require.ErrorContains(t, err, "records from 2026-04-01 00:00: must be before to 2026-03-01 00:00")
}
