package protocol

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// Round-trip policy: fixtures written by vetlink (testdata/protocol_*.json,
// labels/labels.json) must re-encode byte for byte with two-space
// indentation. Foreign VCPR payloads (testdata/vcpr_*.json) must re-encode
// to a semantically equal document: same members and values, numbers
// compared by their exact decimal text, with JSON null treated as an absent
// member (VCPR writes "labelId":null where vetlink omits the member).

func TestGoldenProtocolsRoundTripByteForByte(t *testing.T) {
	files, err := filepath.Glob("testdata/protocol_*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := os.ReadFile(f)
			require.NoError(t, err)
			var p Protocol
			require.NoError(t, json.Unmarshal(want, &p))
			got, err := json.MarshalIndent(&p, "", "  ")
			require.NoError(t, err)
			require.Equal(t, string(want), string(got)+"\n")
		})
	}
}

func TestVCPRExampleRoundTripsSemantically(t *testing.T) {
	files, err := filepath.Glob("testdata/vcpr_*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			require.NoError(t, err)
			var p Protocol
			require.NoError(t, json.Unmarshal(in, &p))
			out, err := json.Marshal(&p)
			require.NoError(t, err)
			require.Equal(t, canonical(t, in), canonical(t, out))
		})
	}
}

func TestVCPRExampleDecodesTypes(t *testing.T) {
	p := loadProtocol(t, "vcpr_example_protocol.json")
	require.Len(t, p.Treatments, 1)
	tr := p.Treatments[0]
	require.Equal(t, "0", tr.ID)
	seq, ok := tr.SequenceFunction.(*SeqSeries)
	require.True(t, ok)
	require.Len(t, seq.Intervals, 2)
	require.Equal(t, "PT6H", seq.Intervals[0].String())
	size, ok := tr.SizeFunction.(*DoseByWeightFunction)
	require.True(t, ok)
	require.Equal(t, "3 ml", size.Dose.Quantity.String())
	require.Equal(t, "1 kg", size.PerUnit.String())
	require.Equal(t, BeefCattle, tr.Eligibilities[0].FDASpecies)
	require.Contains(t, p.Extra, "withholdNote")
	require.Contains(t, p.Extra, "eligibility")
	require.Equal(t, "44", p.WtMeatHrs.String())
}

// canonical decodes JSON into plain values with exact numbers and drops
// null members, so that two encodings can be compared.
func canonical(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return dropNulls(t, v)
}

func dropNulls(t *testing.T, v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if x != nil {
				out[k] = dropNulls(t, x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = dropNulls(t, x)
		}
		return out
	case json.Number:
		// Compare numbers by exact value: 3, 3.0 and 3e0 are equal.
		n, err := ParseNumber(v.String())
		require.NoError(t, err)
		return n.String()
	}
	return v
}

func TestSumTypesRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		json   string
		decode func([]byte) (any, error)
		want   any
	}{
		{"FixedDose", `{"_type":"models.FixedDoseFunction","dose":{"quantity":{"dimension":"Volume","value":3,"symbol":"ml"}}}`, decSize, &FixedDoseFunction{}},
		{"DoseByWeight", `{"_type":"models.DoseByWeightFunction","dose":{"quantity":{"dimension":"Volume","value":1,"symbol":"ml"}},"perUnit":{"dimension":"Mass","value":100,"symbol":"lb"}}`, decSize, &DoseByWeightFunction{}},
		{"LoadingDose", `{"_type":"models.LoadingDoseByWeightFunction","firstDose":{"quantity":{"dimension":"volume","value":6,"symbol":"ml"}},"followDose":{"quantity":{"dimension":"volume","value":3,"symbol":"ml"}},"perUnit":{"dimension":"mass","value":1,"symbol":"kg"}}`, decSize, &LoadingDoseByWeightFunction{}},
		{"DoseRange", `{"_type":"models.DoseRangeFunction","range":{"min":{"quantity":{"dimension":"Volume","value":3,"symbol":"ml"}},"max":{"quantity":{"dimension":"Volume","value":345,"symbol":"ml"}}}}`, decSize, &DoseRangeFunction{}},
		{"DoseRangeByWeight", `{"_type":"models.DoseRangeByWeightFunction","range":{"min":{"quantity":{"value":1.1,"symbol":"mg"}},"max":{"quantity":{"value":2.2,"symbol":"mg"}}},"perUnit":{"dimension":"Mass","value":1,"symbol":"kg"}}`, decSize, &DoseRangeByWeightFunction{}},
		{"DoseByClass", `{"_type":"models.DoseByClass","animalClasses":[{"animalClass":"Calves","sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":2,"symbol":"ml"}}}},{"animalClass":"Cows","sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":5,"symbol":"ml"}}}}]}`, decSize, &DoseByClass{}},
		{"SeqSingleDose", `{"_type":"models.SeqSingleDose"}`, decSeq, &SeqSingleDose{}},
		{"SeqPerDay", `{"_type":"models.SeqPerDay","frequency":2,"totalDoses":3}`, decSeq, &SeqPerDay{}},
		{"SeqPerDayRange", `{"_type":"models.SeqPerDayRange","frequency":1,"minDoses":3,"maxDoses":5}`, decSeq, &SeqPerDayRange{}},
		{"SeqInterval", `{"_type":"models.SeqInterval","totalDoses":3,"interval":"PT8H"}`, decSeq, &SeqInterval{}},
		{"SeqSeries", `{"_type":"models.SeqSeries","intervals":["PT0S","PT3H","P1D"]}`, decSeq, &SeqSeries{}},
		{"NoData", `{"_type":"models.NoData"}`, decCase, &NoData{}},
		{"WeightData", `{"_type":"models.WeightData","weight":{"dimension":"Mass","value":1320,"symbol":"lb"}}`, decCase, &WeightData{}},
		{"PreferredDoseData", `{"_type":"models.PreferredDoseData","preferredDose":{"quantity":{"value":12.5,"symbol":"ml"}}}`, decCase, &PreferredDoseData{}},
		{"PrefDoseRateData", `{"_type":"models.PrefDoseRateData","weight":{"value":600,"symbol":"kg"},"preferredDose":{"quantity":{"value":1.5,"symbol":"mg"}}}`, decCase, &PrefDoseRateData{}},
		{"AnimalClassData", `{"_type":"models.AnimalClassData","animalClass":{"animalClass":"Calves","sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":2,"symbol":"ml"}}}}}`, decCase, &AnimalClassData{}},
		{"RestrictionRemedy", `{"_type":"models.RestrictionRemedy","title":"exCode","message":"exMessage","detail":"exDetail"}`, decRemedy, &RestrictionRemedy{}},
		{"LinkRemedy", `{"_type":"models.LinkRemedy","title":"FARAD","message":"Ask FARAD","detail":"https://farad.org"}`, decRemedy, &LinkRemedy{}},
		{"SubstituteLabelClaimRemedy", `{"_type":"models.SubstituteLabelClaimRemedy","title":"Use label","message":"Use an approved claim","substitutes":[3,17]}`, decRemedy, &SubstituteLabelClaimRemedy{}},
		{"PromiseRemedy", `{"_type":"models.PromiseRemedy","title":"EXTWDT","message":"Affirm the extended withdrawal","promise":{"_type":"models.AffirmationPromise","name":"Extended withdrawal","when":"PT0S","query":"I will withhold meat 30 days"}}`, decRemedy, &PromiseRemedy{}},
		{"JsonRemedy", `{"_type":"models.JsonRemedy","title":"patch","message":"Apply patch","detail":{"wtMeatHrs":720}}`, decRemedy, &JSONRemedy{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.decode([]byte(tt.json))
			require.NoError(t, err)
			require.IsType(t, tt.want, v)
			out, err := json.Marshal(v)
			require.NoError(t, err)
			require.JSONEq(t, tt.json, string(out))
			require.Equal(t, tt.json, string(out), "byte-for-byte")
		})
	}
}

func decSize(b []byte) (any, error)   { return DecodeSizeFunction(b) }
func decSeq(b []byte) (any, error)    { return DecodeSequenceFunction(b) }
func decCase(b []byte) (any, error)   { return DecodeCaseData(b) }
func decRemedy(b []byte) (any, error) { return DecodeRemedy(b) }

func TestSumTypeErrors(t *testing.T) {
	tests := []struct {
		json string
		dec  func([]byte) (any, error)
		want error
	}{
		{`{"dose":{"quantity":{"value":3,"symbol":"ml"}}}`, decSize, ErrUnknownType},
		{`{"_type":"models.Bogus"}`, decSize, ErrUnknownType},
		{`{"_type":"models.SeqFortnightly"}`, decSeq, ErrUnknownType},
		{`{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":3,"symbol":"furlong"}}}`, decSize, ErrUnknownUnit},
		{`{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":3,"symbol":"oz"}}}`, decSize, ErrAmbiguousUnit},
		{`{"_type":"models.SeqInterval","totalDoses":2,"interval":"P1M"}`, decSeq, ErrCalendarDuration},
		{`{"_type":"models.PDataMass"}`, decCase, ErrUnknownType},
	}
	for _, tt := range tests {
		_, err := tt.dec([]byte(tt.json))
		require.ErrorIs(t, err, tt.want, tt.json)
	}
}

func TestTreatmentKeepsUnknownMembers(t *testing.T) {
	in := `{"id":42,"product":"X","route":"IM","sequenceFunction":{"_type":"models.SeqSingleDose"},"sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":5,"symbol":"ml"}}},"zFuture":{"a":1},"aFuture":true}`
	var tr Treatment
	require.NoError(t, json.Unmarshal([]byte(in), &tr))
	require.Equal(t, "42", tr.ID)
	require.Equal(t, []string{"aFuture", "zFuture"}, sortedKeys(tr.Extra))
	out, err := json.Marshal(tr)
	require.NoError(t, err)
	require.Equal(t, `{"id":42,"product":"X","route":"IM","sequenceFunction":{"_type":"models.SeqSingleDose"},"sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":5,"symbol":"ml"}}},"aFuture":true,"zFuture":{"a":1}}`, string(out))
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := reflect.ValueOf(m).MapKeys()
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.String()
	}
	if len(out) == 2 && out[0] > out[1] {
		out[0], out[1] = out[1], out[0]
	}
	return out
}

func FuzzProtocolJSON(f *testing.F) {
	for _, name := range []string{"testdata/protocol_flunixin.json", "testdata/vcpr_example_protocol.json"} {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"treatments":[{"sizeFunction":{"_type":"models.DoseByClass","animalClasses":[{"animalClass":"A","sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":1,"symbol":"t"}}}}]},"sequenceFunction":{"_type":"models.SeqSeries","intervals":["P1W"]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Protocol
		if err := json.Unmarshal(data, &p); err != nil {
			return
		}
		out, err := json.Marshal(&p)
		require.NoError(t, err)
		var q Protocol
		require.NoError(t, json.Unmarshal(out, &q), string(out))
		again, err := json.Marshal(&q)
		require.NoError(t, err)
		// A second round trip is a fixed point.
		require.Equal(t, string(out), string(again))
		// Validation and classification never panic on decoded input.
		_ = Validate(&p, nil)
		_ = Classify(&p, nil, Use{})
	})
}
