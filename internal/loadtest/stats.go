package loadtest

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Summary is what one run measured. Latencies are of the requests that
// succeeded (2xx), so that fast failures cannot flatter them; Errors
// counts the others by status code, "transport" for no answer at all.
type Summary struct {
	Requests   int            `json:"requests"`
	OK         int            `json:"ok"`
	Errors     map[string]int `json:"errors,omitempty"`
	Seconds    float64        `json:"seconds"`
	Throughput float64        `json:"requests_per_second"` // successful requests per second
	P50        Millis         `json:"p50_ms"`
	P95        Millis         `json:"p95_ms"`
	P99        Millis         `json:"p99_ms"`
	Max        Millis         `json:"max_ms"`
	// FirstError is one transport error's text, to say why requests failed.
	FirstError string `json:"first_error,omitempty"`
}

// Millis is a duration printed as milliseconds with microsecond precision.
type Millis float64

// ToMillis converts a duration.
func ToMillis(d time.Duration) Millis { return Millis(math.Round(float64(d)/1e3) / 1e3) }

// MarshalJSON writes at most three decimals.
func (m Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(m), 'f', -1, 64), nil
}

func (m Millis) String() string { return strconv.FormatFloat(float64(m), 'f', 2, 64) + "ms" }

// Percentile returns the p-th percentile (0 < p <= 100) of sorted, by the
// nearest-rank method: the smallest value with at least p percent of the
// values at or below it. It is zero for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// result is one finished request.
type result struct {
	latency time.Duration
	status  int // 0: no answer
	err     error
}

// summarize computes a Summary of results gathered over elapsed.
func summarize(results []result, elapsed time.Duration) Summary {
	s := Summary{Requests: len(results), Seconds: math.Round(elapsed.Seconds()*1000) / 1000}
	ok := make([]time.Duration, 0, len(results))
	for _, r := range results {
		if r.status >= 200 && r.status < 300 {
			ok = append(ok, r.latency)
			continue
		}
		key := "transport"
		if r.status != 0 {
			key = strconv.Itoa(r.status)
		} else if s.FirstError == "" && r.err != nil {
			s.FirstError = r.err.Error()
		}
		if s.Errors == nil {
			s.Errors = map[string]int{}
		}
		s.Errors[key]++
	}
	slices.Sort(ok)
	s.OK = len(ok)
	if elapsed > 0 {
		s.Throughput = math.Round(float64(s.OK)/elapsed.Seconds()*10) / 10
	}
	s.P50, s.P95, s.P99 = ToMillis(Percentile(ok, 50)), ToMillis(Percentile(ok, 95)), ToMillis(Percentile(ok, 99))
	if len(ok) > 0 {
		s.Max = ToMillis(ok[len(ok)-1])
	}
	return s
}

// Ratio is a's throughput as a fraction of b's, rounded to two decimals;
// zero when b measured nothing.
func Ratio(a, b Summary) float64 {
	if b.Throughput == 0 {
		return 0
	}
	return math.Round(a.Throughput/b.Throughput*100) / 100
}
