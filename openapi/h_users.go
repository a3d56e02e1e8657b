package openapi

import "context"

// LoadAdminApp is not built yet: it answers 501 Not Implemented.
func (h *API) LoadAdminApp(ctx context.Context, request LoadAdminAppRequestObject) (LoadAdminAppResponseObject, error) {
	return nil, errNotImplemented
}

// ConfirmVOR is not built yet: it answers 501 Not Implemented.
func (h *API) ConfirmVOR(ctx context.Context, request ConfirmVORRequestObject) (ConfirmVORResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteHelp is not built yet: it answers 501 Not Implemented.
func (h *API) DeleteHelp(ctx context.Context, request DeleteHelpRequestObject) (DeleteHelpResponseObject, error) {
	return nil, errNotImplemented
}

// GetHelp is not built yet: it answers 501 Not Implemented.
func (h *API) GetHelp(ctx context.Context, request GetHelpRequestObject) (GetHelpResponseObject, error) {
	return nil, errNotImplemented
}

// CreateHelp is not built yet: it answers 501 Not Implemented.
func (h *API) CreateHelp(ctx context.Context, request CreateHelpRequestObject) (CreateHelpResponseObject, error) {
	return nil, errNotImplemented
}

// GetHelpkeys is not built yet: it answers 501 Not Implemented.
func (h *API) GetHelpkeys(ctx context.Context, request GetHelpkeysRequestObject) (GetHelpkeysResponseObject, error) {
	return nil, errNotImplemented
}

// GetImageKeywords is not built yet: it answers 501 Not Implemented.
func (h *API) GetImageKeywords(ctx context.Context, request GetImageKeywordsRequestObject) (GetImageKeywordsResponseObject, error) {
	return nil, errNotImplemented
}

// GetImages is not built yet: it answers 501 Not Implemented.
func (h *API) GetImages(ctx context.Context, request GetImagesRequestObject) (GetImagesResponseObject, error) {
	return nil, errNotImplemented
}

// SaveImage is not built yet: it answers 501 Not Implemented.
func (h *API) SaveImage(ctx context.Context, request SaveImageRequestObject) (SaveImageResponseObject, error) {
	return nil, errNotImplemented
}

// GetImage is not built yet: it answers 501 Not Implemented.
func (h *API) GetImage(ctx context.Context, request GetImageRequestObject) (GetImageResponseObject, error) {
	return nil, errNotImplemented
}

// GetImageStores is not built yet: it answers 501 Not Implemented.
func (h *API) GetImageStores(ctx context.Context, request GetImageStoresRequestObject) (GetImageStoresResponseObject, error) {
	return nil, errNotImplemented
}

// LogMessage is not built yet: it answers 501 Not Implemented.
func (h *API) LogMessage(ctx context.Context, request LogMessageRequestObject) (LogMessageResponseObject, error) {
	return nil, errNotImplemented
}

// SendMessage is not built yet: it answers 501 Not Implemented.
func (h *API) SendMessage(ctx context.Context, request SendMessageRequestObject) (SendMessageResponseObject, error) {
	return nil, errNotImplemented
}

// GetUsers is not built yet: it answers 501 Not Implemented.
func (h *API) GetUsers(ctx context.Context, request GetUsersRequestObject) (GetUsersResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateUser is not built yet: it answers 501 Not Implemented.
func (h *API) UpdateUser(ctx context.Context, request UpdateUserRequestObject) (UpdateUserResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateAddress is not built yet: it answers 501 Not Implemented.
func (h *API) UpdateAddress(ctx context.Context, request UpdateAddressRequestObject) (UpdateAddressResponseObject, error) {
	return nil, errNotImplemented
}

// GetAddress is not built yet: it answers 501 Not Implemented.
func (h *API) GetAddress(ctx context.Context, request GetAddressRequestObject) (GetAddressResponseObject, error) {
	return nil, errNotImplemented
}

// RecordComment is not built yet: it answers 501 Not Implemented.
func (h *API) RecordComment(ctx context.Context, request RecordCommentRequestObject) (RecordCommentResponseObject, error) {
	return nil, errNotImplemented
}

// MyRightRelations is not built yet: it answers 501 Not Implemented.
func (h *API) MyRightRelations(ctx context.Context, request MyRightRelationsRequestObject) (MyRightRelationsResponseObject, error) {
	return nil, errNotImplemented
}

// CreateRightRelation is not built yet: it answers 501 Not Implemented.
func (h *API) CreateRightRelation(ctx context.Context, request CreateRightRelationRequestObject) (CreateRightRelationResponseObject, error) {
	return nil, errNotImplemented
}

// CreateProfile is not built yet: it answers 501 Not Implemented.
func (h *API) CreateProfile(ctx context.Context, request CreateProfileRequestObject) (CreateProfileResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateProfile is not built yet: it answers 501 Not Implemented.
func (h *API) UpdateProfile(ctx context.Context, request UpdateProfileRequestObject) (UpdateProfileResponseObject, error) {
	return nil, errNotImplemented
}

// GetProfile is not built yet: it answers 501 Not Implemented.
func (h *API) GetProfile(ctx context.Context, request GetProfileRequestObject) (GetProfileResponseObject, error) {
	return nil, errNotImplemented
}

// GetRelations is not built yet: it answers 501 Not Implemented.
func (h *API) GetRelations(ctx context.Context, request GetRelationsRequestObject) (GetRelationsResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteSandboxClient is not built yet: it answers 501 Not Implemented.
func (h *API) DeleteSandboxClient(ctx context.Context, request DeleteSandboxClientRequestObject) (DeleteSandboxClientResponseObject, error) {
	return nil, errNotImplemented
}

// CreateSandboxClient is not built yet: it answers 501 Not Implemented.
func (h *API) CreateSandboxClient(ctx context.Context, request CreateSandboxClientRequestObject) (CreateSandboxClientResponseObject, error) {
	return nil, errNotImplemented
}

// ConfirmToken is not built yet: it answers 501 Not Implemented.
func (h *API) ConfirmToken(ctx context.Context, request ConfirmTokenRequestObject) (ConfirmTokenResponseObject, error) {
	return nil, errNotImplemented
}

// GetVORs is not built yet: it answers 501 Not Implemented.
func (h *API) GetVORs(ctx context.Context, request GetVORsRequestObject) (GetVORsResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteUser is not built yet: it answers 501 Not Implemented.
func (h *API) DeleteUser(ctx context.Context, request DeleteUserRequestObject) (DeleteUserResponseObject, error) {
	return nil, errNotImplemented
}

// GetUser is not built yet: it answers 501 Not Implemented.
func (h *API) GetUser(ctx context.Context, request GetUserRequestObject) (GetUserResponseObject, error) {
	return nil, errNotImplemented
}

// GetVisits is not built yet: it answers 501 Not Implemented.
func (h *API) GetVisits(ctx context.Context, request GetVisitsRequestObject) (GetVisitsResponseObject, error) {
	return nil, errNotImplemented
}

// LoadEditor is not built yet: it answers 501 Not Implemented.
func (h *API) LoadEditor(ctx context.Context, request LoadEditorRequestObject) (LoadEditorResponseObject, error) {
	return nil, errNotImplemented
}

// LoadFarmApp is not built yet: it answers 501 Not Implemented.
func (h *API) LoadFarmApp(ctx context.Context, request LoadFarmAppRequestObject) (LoadFarmAppResponseObject, error) {
	return nil, errNotImplemented
}

// OkMessage is not built yet: it answers 501 Not Implemented.
func (h *API) OkMessage(ctx context.Context, request OkMessageRequestObject) (OkMessageResponseObject, error) {
	return nil, errNotImplemented
}

// Signin is not built yet: it answers 501 Not Implemented.
func (h *API) Signin(ctx context.Context, request SigninRequestObject) (SigninResponseObject, error) {
	return nil, errNotImplemented
}
