package webhook

import "github.com/onboardkyb/onboard/internal/kyb"

// The outcomes of a delivery attempt, as Options.OnAttempt is told them.
const (
	OutcomeSucceeded = "succeeded" // the endpoint answered 2xx
	OutcomeRetry     = "retry"     // it did not; the delivery is tried again later
	OutcomeFailed    = "failed"    // it did not, for the last time
)

// outcome names the outcome of an attempt that left its delivery in status.
func outcome(status kyb.DeliveryStatus) string {
	switch status {
	case kyb.DeliverySucceeded:
		return OutcomeSucceeded
	case kyb.DeliveryPending:
		return OutcomeRetry
	}
	return OutcomeFailed
}
