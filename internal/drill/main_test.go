package drill

import (
	"os"
	"testing"

	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
