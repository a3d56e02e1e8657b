package openapi

import "context"

// GetGreenbookDrugs is not built yet: it answers 501 Not Implemented.
func (h *API) GetGreenbookDrugs(ctx context.Context, request GetGreenbookDrugsRequestObject) (GetGreenbookDrugsResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateGreenbookDrugs is not built yet: it answers 501 Not Implemented.
func (h *API) UpdateGreenbookDrugs(ctx context.Context, request UpdateGreenbookDrugsRequestObject) (UpdateGreenbookDrugsResponseObject, error) {
	return nil, errNotImplemented
}

// GetGreenbookDrug is not built yet: it answers 501 Not Implemented.
func (h *API) GetGreenbookDrug(ctx context.Context, request GetGreenbookDrugRequestObject) (GetGreenbookDrugResponseObject, error) {
	return nil, errNotImplemented
}

// GetGbdHeaderArrayByNDC is not built yet: it answers 501 Not Implemented.
func (h *API) GetGbdHeaderArrayByNDC(ctx context.Context, request GetGbdHeaderArrayByNDCRequestObject) (GetGbdHeaderArrayByNDCResponseObject, error) {
	return nil, errNotImplemented
}

// GetGbdHeaderByNDC is not built yet: it answers 501 Not Implemented.
func (h *API) GetGbdHeaderByNDC(ctx context.Context, request GetGbdHeaderByNDCRequestObject) (GetGbdHeaderByNDCResponseObject, error) {
	return nil, errNotImplemented
}

// GetSPL is not built yet: it answers 501 Not Implemented.
func (h *API) GetSPL(ctx context.Context, request GetSPLRequestObject) (GetSPLResponseObject, error) {
	return nil, errNotImplemented
}

// GetLabels is not built yet: it answers 501 Not Implemented.
func (h *API) GetLabels(ctx context.Context, request GetLabelsRequestObject) (GetLabelsResponseObject, error) {
	return nil, errNotImplemented
}

// CreateLabelClaim is not built yet: it answers 501 Not Implemented.
func (h *API) CreateLabelClaim(ctx context.Context, request CreateLabelClaimRequestObject) (CreateLabelClaimResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateLabelClaim is not built yet: it answers 501 Not Implemented.
func (h *API) UpdateLabelClaim(ctx context.Context, request UpdateLabelClaimRequestObject) (UpdateLabelClaimResponseObject, error) {
	return nil, errNotImplemented
}

// GetPackageInsert is not built yet: it answers 501 Not Implemented.
func (h *API) GetPackageInsert(ctx context.Context, request GetPackageInsertRequestObject) (GetPackageInsertResponseObject, error) {
	return nil, errNotImplemented
}

// GetLabel is not built yet: it answers 501 Not Implemented.
func (h *API) GetLabel(ctx context.Context, request GetLabelRequestObject) (GetLabelResponseObject, error) {
	return nil, errNotImplemented
}

// GetMyProtocols is not built yet: it answers 501 Not Implemented.
func (h *API) GetMyProtocols(ctx context.Context, request GetMyProtocolsRequestObject) (GetMyProtocolsResponseObject, error) {
	return nil, errNotImplemented
}

// CreateProtocol is not built yet: it answers 501 Not Implemented.
func (h *API) CreateProtocol(ctx context.Context, request CreateProtocolRequestObject) (CreateProtocolResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateProtocol is not built yet: it answers 501 Not Implemented.
func (h *API) UpdateProtocol(ctx context.Context, request UpdateProtocolRequestObject) (UpdateProtocolResponseObject, error) {
	return nil, errNotImplemented
}

// GetAMDUCATags is not built yet: it answers 501 Not Implemented.
func (h *API) GetAMDUCATags(ctx context.Context, request GetAMDUCATagsRequestObject) (GetAMDUCATagsResponseObject, error) {
	return nil, errNotImplemented
}

// GetDiagnoses is not built yet: it answers 501 Not Implemented.
func (h *API) GetDiagnoses(ctx context.Context, request GetDiagnosesRequestObject) (GetDiagnosesResponseObject, error) {
	return nil, errNotImplemented
}

// CreateDiagnosis is not built yet: it answers 501 Not Implemented.
func (h *API) CreateDiagnosis(ctx context.Context, request CreateDiagnosisRequestObject) (CreateDiagnosisResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteDiagnosis is not built yet: it answers 501 Not Implemented.
func (h *API) DeleteDiagnosis(ctx context.Context, request DeleteDiagnosisRequestObject) (DeleteDiagnosisResponseObject, error) {
	return nil, errNotImplemented
}

// ValidateDosage is not built yet: it answers 501 Not Implemented.
func (h *API) ValidateDosage(ctx context.Context, request ValidateDosageRequestObject) (ValidateDosageResponseObject, error) {
	return nil, errNotImplemented
}

// GetEligibilities is not built yet: it answers 501 Not Implemented.
func (h *API) GetEligibilities(ctx context.Context, request GetEligibilitiesRequestObject) (GetEligibilitiesResponseObject, error) {
	return nil, errNotImplemented
}

// CreateEligibility is not built yet: it answers 501 Not Implemented.
func (h *API) CreateEligibility(ctx context.Context, request CreateEligibilityRequestObject) (CreateEligibilityResponseObject, error) {
	return nil, errNotImplemented
}

// GetExFDASpecies is not built yet: it answers 501 Not Implemented.
func (h *API) GetExFDASpecies(ctx context.Context, request GetExFDASpeciesRequestObject) (GetExFDASpeciesResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteEligibility is not built yet: it answers 501 Not Implemented.
func (h *API) DeleteEligibility(ctx context.Context, request DeleteEligibilityRequestObject) (DeleteEligibilityResponseObject, error) {
	return nil, errNotImplemented
}

// GetExclusivestubs is not built yet: it answers 501 Not Implemented.
func (h *API) GetExclusivestubs(ctx context.Context, request GetExclusivestubsRequestObject) (GetExclusivestubsResponseObject, error) {
	return nil, errNotImplemented
}

// GetLibraryProtocols is not built yet: it answers 501 Not Implemented.
func (h *API) GetLibraryProtocols(ctx context.Context, request GetLibraryProtocolsRequestObject) (GetLibraryProtocolsResponseObject, error) {
	return nil, errNotImplemented
}

// GetLibraryPxes is not built yet: it answers 501 Not Implemented.
func (h *API) GetLibraryPxes(ctx context.Context, request GetLibraryPxesRequestObject) (GetLibraryPxesResponseObject, error) {
	return nil, errNotImplemented
}

// CreatePrivatePromise is not built yet: it answers 501 Not Implemented.
func (h *API) CreatePrivatePromise(ctx context.Context, request CreatePrivatePromiseRequestObject) (CreatePrivatePromiseResponseObject, error) {
	return nil, errNotImplemented
}

// GetPromises is not built yet: it answers 501 Not Implemented.
func (h *API) GetPromises(ctx context.Context, request GetPromisesRequestObject) (GetPromisesResponseObject, error) {
	return nil, errNotImplemented
}

// GetPromise is not built yet: it answers 501 Not Implemented.
func (h *API) GetPromise(ctx context.Context, request GetPromiseRequestObject) (GetPromiseResponseObject, error) {
	return nil, errNotImplemented
}

// CreatePublicPromise is not built yet: it answers 501 Not Implemented.
func (h *API) CreatePublicPromise(ctx context.Context, request CreatePublicPromiseRequestObject) (CreatePublicPromiseResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteProtocolShare is not built yet: it answers 501 Not Implemented.
func (h *API) DeleteProtocolShare(ctx context.Context, request DeleteProtocolShareRequestObject) (DeleteProtocolShareResponseObject, error) {
	return nil, errNotImplemented
}

// GetMyProtocolShares is not built yet: it answers 501 Not Implemented.
func (h *API) GetMyProtocolShares(ctx context.Context, request GetMyProtocolSharesRequestObject) (GetMyProtocolSharesResponseObject, error) {
	return nil, errNotImplemented
}

// CreateProtocolShare is not built yet: it answers 501 Not Implemented.
func (h *API) CreateProtocolShare(ctx context.Context, request CreateProtocolShareRequestObject) (CreateProtocolShareResponseObject, error) {
	return nil, errNotImplemented
}

// GetSharesToAll is not built yet: it answers 501 Not Implemented.
func (h *API) GetSharesToAll(ctx context.Context, request GetSharesToAllRequestObject) (GetSharesToAllResponseObject, error) {
	return nil, errNotImplemented
}

// UnShareToAll is not built yet: it answers 501 Not Implemented.
func (h *API) UnShareToAll(ctx context.Context, request UnShareToAllRequestObject) (UnShareToAllResponseObject, error) {
	return nil, errNotImplemented
}

// ShareToAll is not built yet: it answers 501 Not Implemented.
func (h *API) ShareToAll(ctx context.Context, request ShareToAllRequestObject) (ShareToAllResponseObject, error) {
	return nil, errNotImplemented
}

// GetProtocolTags is not built yet: it answers 501 Not Implemented.
func (h *API) GetProtocolTags(ctx context.Context, request GetProtocolTagsRequestObject) (GetProtocolTagsResponseObject, error) {
	return nil, errNotImplemented
}

// CreateTag is not built yet: it answers 501 Not Implemented.
func (h *API) CreateTag(ctx context.Context, request CreateTagRequestObject) (CreateTagResponseObject, error) {
	return nil, errNotImplemented
}

// ExecuteRemedy is not built yet: it answers 501 Not Implemented.
func (h *API) ExecuteRemedy(ctx context.Context, request ExecuteRemedyRequestObject) (ExecuteRemedyResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteTag is not built yet: it answers 501 Not Implemented.
func (h *API) DeleteTag(ctx context.Context, request DeleteTagRequestObject) (DeleteTagResponseObject, error) {
	return nil, errNotImplemented
}

// ValidateProtocol is not built yet: it answers 501 Not Implemented.
func (h *API) ValidateProtocol(ctx context.Context, request ValidateProtocolRequestObject) (ValidateProtocolResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteProtocol is not built yet: it answers 501 Not Implemented.
func (h *API) DeleteProtocol(ctx context.Context, request DeleteProtocolRequestObject) (DeleteProtocolResponseObject, error) {
	return nil, errNotImplemented
}

// GetProtocol is not built yet: it answers 501 Not Implemented.
func (h *API) GetProtocol(ctx context.Context, request GetProtocolRequestObject) (GetProtocolResponseObject, error) {
	return nil, errNotImplemented
}

// GetGbdLinkByNDC is not built yet: it answers 501 Not Implemented.
func (h *API) GetGbdLinkByNDC(ctx context.Context, request GetGbdLinkByNDCRequestObject) (GetGbdLinkByNDCResponseObject, error) {
	return nil, errNotImplemented
}

// GetGbdL is not built yet: it answers 501 Not Implemented.
func (h *API) GetGbdL(ctx context.Context, request GetGbdLRequestObject) (GetGbdLResponseObject, error) {
	return nil, errNotImplemented
}
