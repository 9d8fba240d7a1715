package drill

import (
	"strings"
	"testing"
	"time"

	"github.com/onboardkyb/onboard/internal/storetest"
)

// TestKill9 is the fast version of the SIGKILL drill that CI runs: one
// kill under load on each store.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			if engine == "postgres" {
				storetest.PostgresURL(t) // skips without a server
			}
			var report strings.Builder
			err := Kill9{Engine: engine, Runs: 1, Workers: 4, MaxWait: 1500 * time.Millisecond}.Run(&report)
			if err != nil {
				t.Fatalf("%v\n%s", err, report.String())
			}
			if !strings.Contains(report.String(), "PASS") {
				t.Errorf("report without a verdict:\n%s", report.String())
			}
		})
	}
}

// TestBlackhole runs the blackhole drill with a short deadline: creates
// get 503 with Retry-After while the database's packets are dropped, and
// succeed again once they are not.
func TestBlackhole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	storetest.PostgresURL(t) // skips without a server, saying so
	var report strings.Builder
	err := Blackhole{Timeout: time.Second, Bound: 3 * time.Second, Hold: 4 * time.Second, Workers: 4}.Run(&report)
	t.Log("\n" + report.String())
	if err != nil {
		t.Fatal(err)
	}
}
