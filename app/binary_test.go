package app_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestTheBinaryCarriesNoTestCode: the fault switches (offline, dropped
// answers) and every other test aid live in app/apptest, which the binary
// never links; nor does it link Go's testing package, PocketBase's test
// app or the browser driver.
func TestTheBinaryCarriesNoTestCode(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "zoufang").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 || !slices.Contains(deps, "zoufang/app") {
		t.Fatalf("go list gave %d packages, not the binary's", len(deps))
	}
	for _, d := range deps {
		if d == "testing" || strings.HasSuffix(d, "/apptest") || strings.Contains(d, "pocketbase/tests") || strings.Contains(d, "chromedp") {
			t.Errorf("the binary links %s", d)
		}
	}
}
