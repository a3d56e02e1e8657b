package protocol

import (
	"fmt"
	"strconv"
	"time"
)

// Limits on schedules. A treatment with more doses, or more per day, is
// taken to be a data-entry error rather than a real regimen.
const (
	MaxDoses        = 1000
	MaxDosesPerDay  = 24
	maxScheduleSpan = 5 * 366 * 24 * time.Hour
)

// Offsets evaluates f: the time of every dose after initiation, in order.
// count is the number of doses the user chose, needed only for a
// SeqPerDayRange (it must lie in [MinDoses, MaxDoses]); other functions
// ignore it.
//
// SeqPerDay spaces doses exactly 24h/Frequency apart, computing each offset
// from initiation so that no rounding accumulates (3 a day is every 8 h).
func Offsets(f SequenceFunction, count int) ([]time.Duration, error) {
	switch f := f.(type) {
	case nil:
		return nil, fieldErr("sequenceFunction", "", "is required", ErrInvalid)
	case *SeqSingleDose:
		return []time.Duration{0}, nil
	case *SeqPerDay:
		if err := checkFrequency(f.Frequency); err != nil {
			return nil, err
		}
		if err := checkCount("sequenceFunction.totalDoses", f.TotalDoses); err != nil {
			return nil, err
		}
		return perDay(f.Frequency, f.TotalDoses), nil
	case *SeqPerDayRange:
		if err := checkFrequency(f.Frequency); err != nil {
			return nil, err
		}
		if err := checkCount("sequenceFunction.minDoses", f.MinDoses); err != nil {
			return nil, err
		}
		if err := checkCount("sequenceFunction.maxDoses", f.MaxDoses); err != nil {
			return nil, err
		}
		if f.MinDoses > f.MaxDoses {
			return nil, fieldErr("sequenceFunction", fmt.Sprintf("[%d, %d]", f.MinDoses, f.MaxDoses), "minDoses must not exceed maxDoses", ErrInvalid)
		}
		if count == 0 {
			return nil, fieldErr("case.doseCount", "", fmt.Sprintf("is required to choose between %d and %d doses", f.MinDoses, f.MaxDoses), ErrMissingInput)
		}
		if count < f.MinDoses || count > f.MaxDoses {
			return nil, fieldErr("case.doseCount", strconv.Itoa(count), fmt.Sprintf("must lie in [%d, %d] inclusive", f.MinDoses, f.MaxDoses), ErrOutOfRange)
		}
		return perDay(f.Frequency, count), nil
	case *SeqInterval:
		if err := checkCount("sequenceFunction.totalDoses", f.TotalDoses); err != nil {
			return nil, err
		}
		iv := f.Interval.Std()
		if iv <= 0 {
			return nil, fieldErr("sequenceFunction.interval", f.Interval.String(), "must be positive", ErrInvalid)
		}
		if iv > maxScheduleSpan/time.Duration(f.TotalDoses) {
			return nil, fieldErr("sequenceFunction.interval", f.Interval.String(), "makes the schedule longer than 5 years", ErrInvalid)
		}
		out := make([]time.Duration, f.TotalDoses)
		for i := range out {
			out[i] = time.Duration(i) * iv
		}
		return out, nil
	case *SeqSeries:
		if len(f.Intervals) == 0 {
			return nil, fieldErr("sequenceFunction.intervals", "[]", "must list at least one offset", ErrInvalid)
		}
		if len(f.Intervals) > MaxDoses {
			return nil, fieldErr("sequenceFunction.intervals", strconv.Itoa(len(f.Intervals)), fmt.Sprintf("must list at most %d offsets", MaxDoses), ErrInvalid)
		}
		out := make([]time.Duration, len(f.Intervals))
		for i, d := range f.Intervals {
			out[i] = d.Std()
			if out[i] > maxScheduleSpan {
				return nil, fieldErr(fmt.Sprintf("sequenceFunction.intervals[%d]", i), d.String(), "must be within 5 years of initiation", ErrInvalid)
			}
			if i > 0 && out[i] < out[i-1] {
				return nil, fieldErr(fmt.Sprintf("sequenceFunction.intervals[%d]", i), d.String(), "offsets are measured from initiation and must not decrease", ErrInvalid)
			}
		}
		return out, nil
	}
	return nil, fieldErr("sequenceFunction", fmt.Sprintf("%T", f), "unsupported sequence function", ErrInvalid)
}

func perDay(freq, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(int64(i) * int64(24*time.Hour) / int64(freq))
	}
	return out
}

func checkFrequency(f int) error {
	if f < 1 || f > MaxDosesPerDay {
		return fieldErr("sequenceFunction.frequency", strconv.Itoa(f), fmt.Sprintf("must be between 1 and %d per day", MaxDosesPerDay), ErrInvalid)
	}
	return nil
}

func checkCount(field string, n int) error {
	if n < 1 || n > MaxDoses {
		return fieldErr(field, strconv.Itoa(n), fmt.Sprintf("must be between 1 and %d", MaxDoses), ErrInvalid)
	}
	return nil
}
