package openapi

import "context"

// MyCases is not built yet: it answers 501 Not Implemented.
func (h *API) MyCases(ctx context.Context, request MyCasesRequestObject) (MyCasesResponseObject, error) {
	return nil, errNotImplemented
}

// DeprecatedEnrollCase is not built yet: it answers 501 Not Implemented.
func (h *API) DeprecatedEnrollCase(ctx context.Context, request DeprecatedEnrollCaseRequestObject) (DeprecatedEnrollCaseResponseObject, error) {
	return nil, errNotImplemented
}

// GetCaseHx is not built yet: it answers 501 Not Implemented.
func (h *API) GetCaseHx(ctx context.Context, request GetCaseHxRequestObject) (GetCaseHxResponseObject, error) {
	return nil, errNotImplemented
}

// EnrollCase is not built yet: it answers 501 Not Implemented.
func (h *API) EnrollCase(ctx context.Context, request EnrollCaseRequestObject) (EnrollCaseResponseObject, error) {
	return nil, errNotImplemented
}

// DeletePrescription is not built yet: it answers 501 Not Implemented.
func (h *API) DeletePrescription(ctx context.Context, request DeletePrescriptionRequestObject) (DeletePrescriptionResponseObject, error) {
	return nil, errNotImplemented
}

// GetPrescription is not built yet: it answers 501 Not Implemented.
func (h *API) GetPrescription(ctx context.Context, request GetPrescriptionRequestObject) (GetPrescriptionResponseObject, error) {
	return nil, errNotImplemented
}

// GetCasesOfPrescription is not built yet: it answers 501 Not Implemented.
func (h *API) GetCasesOfPrescription(ctx context.Context, request GetCasesOfPrescriptionRequestObject) (GetCasesOfPrescriptionResponseObject, error) {
	return nil, errNotImplemented
}

// GetRxBy is not built yet: it answers 501 Not Implemented.
func (h *API) GetRxBy(ctx context.Context, request GetRxByRequestObject) (GetRxByResponseObject, error) {
	return nil, errNotImplemented
}

// GetRxTo is not built yet: it answers 501 Not Implemented.
func (h *API) GetRxTo(ctx context.Context, request GetRxToRequestObject) (GetRxToResponseObject, error) {
	return nil, errNotImplemented
}

// GetPrescriptions is not built yet: it answers 501 Not Implemented.
func (h *API) GetPrescriptions(ctx context.Context, request GetPrescriptionsRequestObject) (GetPrescriptionsResponseObject, error) {
	return nil, errNotImplemented
}

// CreatePrescription is not built yet: it answers 501 Not Implemented.
func (h *API) CreatePrescription(ctx context.Context, request CreatePrescriptionRequestObject) (CreatePrescriptionResponseObject, error) {
	return nil, errNotImplemented
}

// GetProtocolPrescription is not built yet: it answers 501 Not Implemented.
func (h *API) GetProtocolPrescription(ctx context.Context, request GetProtocolPrescriptionRequestObject) (GetProtocolPrescriptionResponseObject, error) {
	return nil, errNotImplemented
}

// GetPrescriptionsOfProtocol is not built yet: it answers 501 Not Implemented.
func (h *API) GetPrescriptionsOfProtocol(ctx context.Context, request GetPrescriptionsOfProtocolRequestObject) (GetPrescriptionsOfProtocolResponseObject, error) {
	return nil, errNotImplemented
}

// RxWithCases is not built yet: it answers 501 Not Implemented.
func (h *API) RxWithCases(ctx context.Context, request RxWithCasesRequestObject) (RxWithCasesResponseObject, error) {
	return nil, errNotImplemented
}

// MyRxCases is not built yet: it answers 501 Not Implemented.
func (h *API) MyRxCases(ctx context.Context, request MyRxCasesRequestObject) (MyRxCasesResponseObject, error) {
	return nil, errNotImplemented
}

// ExecuteTask is not built yet: it answers 501 Not Implemented.
func (h *API) ExecuteTask(ctx context.Context, request ExecuteTaskRequestObject) (ExecuteTaskResponseObject, error) {
	return nil, errNotImplemented
}

// GetWithholds is not built yet: it answers 501 Not Implemented.
func (h *API) GetWithholds(ctx context.Context, request GetWithholdsRequestObject) (GetWithholdsResponseObject, error) {
	return nil, errNotImplemented
}
