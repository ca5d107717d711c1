package visits_test

import (
	"net/http"
	"testing"
	"time"

	"zoufang/app/apptest"
)

type pushAnswer struct {
	Results []struct {
		Collection string         `json:"collection"`
		ID         string         `json:"id"`
		Status     string         `json:"status"`
		Message    string         `json:"message"`
		Errors     map[string]any `json:"errors"`
		Doc        map[string]any `json:"doc"`
	} `json:"results"`
}

func push(t *testing.T, c *apptest.Client, body any) pushAnswer {
	t.Helper()
	var ans pushAnswer
	res := c.PostJSON("/sync/push", body, &ans)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("push: status %d", res.StatusCode)
	}
	return ans
}

// id makes a valid client id from a short name.
func id(s string) string { return (s + "000000000000000")[:15] }

func visit(vid, household string, at time.Time) map[string]any {
	return map[string]any{"id": vid, "household": household, "visited_at": at.UTC().Format(time.RFC3339Nano), "kind": "routine", "outcome": "met"}
}
