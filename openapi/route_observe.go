package openapi

import (
	"context"
	"sync/atomic"
)

// routeSlotKey carries a *RouteSlot in a request's context.
type routeSlotKey struct{}

// A RouteSlot receives the operation a request was routed to, for
// middleware outside the handler that labels metrics and spans by route:
// the path template of the document ("/api/users/{id}"), never the raw
// path, so that the number of label values stays that of the operations.
//
// Put one in the request's context with [WithRouteSlot] before the
// handler of [NewHandler] runs, and read it with [RouteSlot.Route] after.
type RouteSlot struct {
	route atomic.Pointer[string]
}

// WithRouteSlot returns ctx with a new, empty RouteSlot, and the slot.
func WithRouteSlot(ctx context.Context) (context.Context, *RouteSlot) {
	s := new(RouteSlot)
	return context.WithValue(ctx, routeSlotKey{}, s), s
}

// Route returns the path template of the operation the request was routed
// to, or "" when it matched none (a 404 or 405) or did not reach the
// operations (the document, the docs page).
func (s *RouteSlot) Route() string {
	if p := s.route.Load(); p != nil {
		return *p
	}
	return ""
}

// noteRoute records the matched path template in ctx's RouteSlot, if any.
func noteRoute(ctx context.Context, path string) {
	if s, ok := ctx.Value(routeSlotKey{}).(*RouteSlot); ok {
		s.route.Store(&path)
	}
}
