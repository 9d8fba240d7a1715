package httpapi

import (
	"fmt"
	"reflect"

	"github.com/onboardkyb/onboard/internal/kyb"
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

// DocumentedFacts are the limits the OpenAPI overlay's prose names, as
// {{name}}: each is written once, here.
func DocumentedFacts() map[string]string {
	return map[string]string{
		"json_body_limit": binarySize(MaxJSONBodyBytes),
		"json_body_bytes": fmt.Sprint(MaxJSONBodyBytes),
		"upload_limit":    binarySize(MaxUploadBytes),
		"upload_bytes":    fmt.Sprint(MaxUploadBytes),
		"file_limit":      binarySize(kyb.MaxFileSize),
		"file_bytes":      fmt.Sprint(kyb.MaxFileSize),
	}
}

// binarySize writes a whole number of MiB or KiB as such.
func binarySize(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
