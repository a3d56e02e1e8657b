package openapi

import (
	"context"

	"github.com/vetlink/vetlink/auth"
)

// UserLogin checks the application's API key and the user's identifier and
// password, and answers the user with a signed token for X-Auth-Token.
// A wrong identifier and a wrong password are answered alike; repeated
// failures are throttled, then locked (429 with Retry-After).
func (h *API) UserLogin(ctx context.Context, request UserLoginRequestObject) (UserLoginResponseObject, error) {
	b := request.Body
	sess, err := h.cfg.Auth.Login(ctx, b.Apikey, b.Identifier, b.Password)
	if err != nil {
		return nil, err
	}
	login, err := h.successfulLogin(ctx, sess, "login")
	if err != nil {
		return nil, err
	}
	return UserLogin200JSONResponse(login), nil
}

// RenewUserToken answers a fresh token for the still-valid one the
// request carries.
func (h *API) RenewUserToken(ctx context.Context, request RenewUserTokenRequestObject) (RenewUserTokenResponseObject, error) {
	token, _ := ctx.Value(authTokenKey{}).(string)
	sess, err := h.cfg.Auth.Renew(ctx, token)
	if err != nil {
		return nil, err
	}
	login, err := h.successfulLogin(ctx, sess, "renew")
	if err != nil {
		return nil, err
	}
	return RenewUserToken200JSONResponse(login), nil
}

// successfulLogin records the visit and builds the answer of a login.
func (h *API) successfulLogin(ctx context.Context, sess auth.Session, what string) (SuccessfulLogin, error) {
	a, err := h.cfg.Rx.Actor(ctx, sess.User)
	if err != nil {
		return SuccessfulLogin{}, err
	}
	if _, err := h.cfg.Site.RecordVisit(ctx, sess.User, what); err != nil {
		// A visit not recorded must not refuse a valid login.
		h.logger.WarnContext(ctx, "recording a visit", "request_id", RequestID(ctx), "err", err)
	}
	u := a.User
	return SuccessfulLogin{User: &u, Token: &sess.Token}, nil
}
