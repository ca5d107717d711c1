package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestALargeAnswerGivesItsMemoryBack: an answer of the threshold or more
// starts one release after it is sent; a small one starts none, and
// answers that end while a release runs do not pile more on.
func TestALargeAnswerGivesItsMemoryBack(t *testing.T) {
	t.Parallel()
	var released atomic.Int32
	block := make(chan struct{})
	e := echo.New()
	mw := releaseAfterLarge(1000, func() { released.Add(1); <-block })
	send := func(n int) echo.HandlerFunc {
		return func(c echo.Context) error { return c.String(http.StatusOK, strings.Repeat("x", n)) }
	}
	e.GET("/small", send(999), mw)
	e.GET("/large", send(1000), mw)
	get := func(path string) {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, rec.Code)
		}
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Second); !cond(); {
			if time.Now().After(deadline) {
				t.Fatalf("waited for %s", what)
			}
			time.Sleep(time.Millisecond)
		}
	}
	get("/small")
	get("/large")
	waitFor("the release after the large answer", func() bool { return released.Load() == 1 })
	get("/large") // while the first release runs
	close(block)
	get("/small")
	if got := released.Load(); got != 1 {
		t.Fatalf("%d releases, want 1: a small answer or one during a release started another", got)
	}
	// Once the first release has ended, a large answer starts another.
	waitFor("a second release once the first had ended", func() bool { get("/large"); return released.Load() >= 2 })
}
