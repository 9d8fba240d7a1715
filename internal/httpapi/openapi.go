package httpapi

import (
	"reflect"

	"github.com/onboardkyb/onboard/internal/screening"
)

// DocumentedTypes are this package's JSON bodies, by the name with which
// the OpenAPI overlay (internal/openapi/overlay.json) refers to them in
// x-go, so that the document is generated from them.
func DocumentedTypes() map[string]reflect.Type {
	return map[string]reflect.Type{
		"httpapi.adminCustomerJSON":      reflect.TypeFor[adminCustomerJSON](),
		"httpapi.auditJSON":              reflect.TypeFor[auditJSON](),
		"httpapi.healthJSON":             reflect.TypeFor[healthJSON](),
		"httpapi.customerHitJSON":        reflect.TypeFor[customerHitJSON](),
		"httpapi.listEntryJSON":          reflect.TypeFor[listEntryJSON](),
		"httpapi.searchHitJSON":          reflect.TypeFor[searchHitJSON](),
		"httpapi.screeningSearchJSON":    reflect.TypeFor[screeningSearchJSON](),
		"httpapi.screeningSearchRequest": reflect.TypeFor[screeningSearchRequest](),
		"httpapi.searchEvidenceJSON":     reflect.TypeFor[searchEvidenceJSON](),
		"httpapi.evidenceJSON":           reflect.TypeFor[evidenceJSON](),
		"httpapi.listNameJSON":           reflect.TypeFor[listNameJSON](),
		"httpapi.listSnapshotJSON":       reflect.TypeFor[listSnapshotJSON](),
		"screening.Evidence":             reflect.TypeFor[screening.Evidence](),
		"httpapi.newOperatorJSON":        reflect.TypeFor[newOperatorJSON](),
		"httpapi.newPartnerJSON":         reflect.TypeFor[newPartnerJSON](),
		"httpapi.partnerJSON":            reflect.TypeFor[partnerJSON](),
		"httpapi.policyJSON":             reflect.TypeFor[policyJSON](),
		"httpapi.policyRequest":          reflect.TypeFor[policyRequest](),
		"httpapi.rateLimitJSON":          reflect.TypeFor[rateLimitJSON](),
		"httpapi.rateLimitRequest":       reflect.TypeFor[rateLimitRequest](),
		"httpapi.redeliveredJSON":        reflect.TypeFor[redeliveredJSON](),
		"httpapi.revokedJSON":            reflect.TypeFor[revokedJSON](),
		"httpapi.riskFlagJSON":           reflect.TypeFor[riskFlagJSON](),
		"httpapi.riskJSON":               reflect.TypeFor[riskJSON](),
		"httpapi.screeningJSON":          reflect.TypeFor[screeningJSON](),
		"httpapi.requirementJSON":        reflect.TypeFor[requirementJSON](),
		"httpapi.versionJSON":            reflect.TypeFor[versionJSON](),
		"httpapi.reviewJSON":             reflect.TypeFor[reviewJSON](),
		"httpapi.approvalJSON":           reflect.TypeFor[approvalJSON](),
		"httpapi.statusCountsJSON":       reflect.TypeFor[statusCountsJSON](),
		"httpapi.adminFileJSON":          reflect.TypeFor[adminFileJSON](),
	}
}
