package client

import (
	"context"
	"iter"
)

// PageSize is the number of items the iterators ask for per page when the
// caller's parameters set no limit.
const PageSize = 100

// AllMyProtocols iterates over the protocols getMyProtocols lists for
// params (nil for all), following the pages from params.Offset with
// params.Limit (PageSize when nil) per page. params is copied, not
// changed. A failed page ends the iteration with its error (a *Problem
// for an answer of the server).
func (a *API) AllMyProtocols(ctx context.Context, params *GetMyProtocolsParams) iter.Seq2[Protocol, error] {
	p := GetMyProtocolsParams{}
	if params != nil {
		p = *params
	}
	return pages(p.Offset, p.Limit, func(offset, limit int32) ([]Protocol, *int32, error) {
		p.Offset, p.Limit = &offset, &limit
		r, err := Check(a.GetMyProtocolsWithResponse(ctx, &p))
		if err != nil || r.JSON200 == nil || r.JSON200.Protocols == nil {
			return nil, nil, err
		}
		return *r.JSON200.Protocols, r.JSON200.Of, nil
	})
}

// AllRxWithCases iterates over the prescriptions with their cases that
// rxWithCases lists for params (nil for all), following the pages as
// AllMyProtocols does.
func (a *API) AllRxWithCases(ctx context.Context, params *RxWithCasesParams) iter.Seq2[RxWithCases, error] {
	p := RxWithCasesParams{}
	if params != nil {
		p = *params
	}
	return pages(p.Offset, p.Limit, func(offset, limit int32) ([]RxWithCases, *int32, error) {
		p.Offset, p.Limit = &offset, &limit
		r, err := Check(a.RxWithCasesWithResponse(ctx, &p))
		if err != nil || r.JSON200 == nil || r.JSON200.RxesWithCases == nil {
			return nil, nil, err
		}
		return *r.JSON200.RxesWithCases, r.JSON200.Of, nil
	})
}

// AllGreenbookDrugs iterates over the Green Book drugs getGreenbookDrugs
// lists for params (nil for all), following the pages as AllMyProtocols
// does. The answer has no total, so the last page is the first that is
// short of the limit.
func (a *API) AllGreenbookDrugs(ctx context.Context, params *GetGreenbookDrugsParams) iter.Seq2[GreenbookDrug, error] {
	p := GetGreenbookDrugsParams{}
	if params != nil {
		p = *params
	}
	return pages(p.Offset, p.Limit, func(offset, limit int32) ([]GreenbookDrug, *int32, error) {
		p.Offset, p.Limit = &offset, &limit
		r, err := Check(a.GetGreenbookDrugsWithResponse(ctx, &p))
		if err != nil || r.JSON200 == nil {
			return nil, nil, err
		}
		return *r.JSON200, nil, nil
	})
}

// pages follows the pages fetch answers: from offset, limit at a time,
// until a page is empty or short, or the total (of) is reached.
func pages[T any](offset, limit *int32, fetch func(offset, limit int32) ([]T, *int32, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var off, lim int32 = 0, PageSize
		if offset != nil {
			off = *offset
		}
		if limit != nil && *limit > 0 {
			lim = *limit
		}
		for {
			items, of, err := fetch(off, lim)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			off += int32(len(items))
			if len(items) == 0 || int32(len(items)) < lim || (of != nil && off >= *of) {
				return
			}
		}
	}
}
