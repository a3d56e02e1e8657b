package hl7

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuilder(t *testing.T) {
	b := NewBuilder(Delimiters{})
	b.Segment("MSH").Set("3", "VETLINK").Set("7", "20261121120000").
		SetField(9, "ORU", "R01", "ORU_R01").Set("10", "B1").Set("11", "P").Set("12", "2.5.1")
	b.Segment("PID").Set("1", "1").
		SetField(3, "A-1", "", "", "RIVERSIDE", "PI").
		AddRepetition(3, "840003123456789", "", "", "USDA", "AN").
		SetField(5, "Bossie34").
		Set("11.4.1", "WI").Set("11.4.2", "US-WI")
	b.Segment("OBX").Set("1", "1").Set("2", "ST").SetField(3, "NOTE", "Note", "L").
		Set("5", "a|b^c~d\\e&f\r\ng")
	b.Segment("ZVL").SetRaw(2, "raw^value~x").Set("5", "")
	m, err := b.Build()
	require.NoError(t, err)
	require.Equal(t, "MSH|^~\\&|VETLINK||||20261121120000||ORU^R01^ORU_R01|B1|P|2.5.1\r"+
		"PID|1||A-1^^^RIVERSIDE^PI~840003123456789^^^USDA^AN||Bossie34||||||^^^WI&US-WI\r"+
		"OBX|1|ST|NOTE^Note^L||a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\X0D\\\\X0A\\g\r"+
		"ZVL||raw^value~x\r", m.String())
	got, _ := m.Get("OBX-5")
	require.Equal(t, "a|b^c~d\\e&f\r\ng", got)
	got, _ = m.Get("PID-3[2].4")
	require.Equal(t, "USDA", got)
	got, _ = m.Get("PID-11.4.2")
	require.Equal(t, "US-WI", got)
}

func TestBuilderDelimitersAndErrors(t *testing.T) {
	b := NewBuilder(Delimiters{Field: '#', Component: '$', Repetition: '*', Escape: '@', Subcomponent: '%', Truncation: '!'})
	b.Segment("MSH").SetField(9, "ADT", "A08").Set("12", "2.7")
	b.Segment("PID").Set("5", "50# and 20!")
	m, err := b.Build()
	require.NoError(t, err)
	require.Equal(t, "MSH#$*@%!#######ADT$A08###2.7\rPID#####50@F@ and 20@P@\r", m.String())

	for name, build := range map[string]func(*Builder){
		"no header":        func(b *Builder) { b.Segment("PID").Set("1", "1") },
		"bad segment":      func(b *Builder) { b.Segment("MSH"); b.Segment("pid") },
		"MSH-2 is fixed":   func(b *Builder) { b.Segment("MSH").Set("2", "x") },
		"bad path":         func(b *Builder) { b.Segment("MSH").Set("3..1", "x") },
		"field zero":       func(b *Builder) { b.Segment("MSH").SetField(0, "x") },
		"empty":            func(b *Builder) {},
		"raw header field": func(b *Builder) { b.Segment("MSH").SetRaw(1, "x") },
	} {
		t.Run(name, func(t *testing.T) {
			b := NewBuilder(Delimiters{})
			build(b)
			_, err := b.Build()
			require.Error(t, err)
		})
	}
	_, err = NewBuilder(Delimiters{Field: '|', Component: '|'}).Build()
	require.ErrorIs(t, err, ErrDelimiters)
}
