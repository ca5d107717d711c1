package pwa_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"zoufang/pwa"
	"zoufang/station"
)

// TestDownloadsAnswerAnErrorUntilTheyHaveBegun: an export that fails
// before writing anything answers with its error and status, not an empty
// file; one that writes is a download with its Chinese file name; one cut
// short after it began is logged.
func TestDownloadsAnswerAnErrorUntilTheyHaveBegun(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	e := echo.New()
	layout := func(p pwa.Page) g.Node { return h.Main(g.Group(p.Body)) }
	e.HTTPErrorHandler = pwa.ErrorHandler(layout, slog.New(slog.NewTextHandler(&logged, nil)))
	e.GET("/early", pwa.Adapt(func(c echo.Context) (g.Node, error) {
		_ = pwa.XLSX(c, "x.xlsx", "走访记录.xlsx")
		return nil, station.Internal(errors.New("disk I/O error"), "list visits")
	}))
	e.GET("/ok", pwa.Adapt(func(c echo.Context) (g.Node, error) {
		_, err := io.WriteString(pwa.XLSX(c, "x.xlsx", "走访记录.xlsx"), "PK")
		return nil, err
	}))
	e.GET("/late", pwa.Adapt(func(c echo.Context) (g.Node, error) {
		_, _ = io.WriteString(pwa.XLSX(c, "x.xlsx", "走访记录.xlsx"), "PK")
		return nil, station.Internal(errors.New("interrupted"), "read visit")
	}))
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	t.Run("a failure before the first byte is an error page", func(t *testing.T) {
		rec := get("/early")
		if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Disposition") != "" {
			t.Fatalf("status %d, disposition %q", rec.Code, rec.Header().Get("Content-Disposition"))
		}
		if !strings.Contains(logged.String(), "disk I/O error") {
			t.Errorf("the cause was not logged: %s", logged.String())
		}
	})
	t.Run("a workbook is a download named in Chinese", func(t *testing.T) {
		rec := get("/ok")
		disp := rec.Header().Get("Content-Disposition")
		if rec.Code != http.StatusOK || rec.Body.String() != "PK" || !strings.Contains(disp, `filename="x.xlsx"`) ||
			!strings.Contains(disp, "UTF-8''%E8%B5%B0%E8%AE%BF%E8%AE%B0%E5%BD%95.xlsx") {
			t.Fatalf("status %d, body %q, disposition %q", rec.Code, rec.Body.String(), disp)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("content type %q", ct)
		}
	})
	t.Run("a download cut short is logged", func(t *testing.T) {
		logged.Reset()
		rec := get("/late")
		if rec.Code != http.StatusOK || !strings.Contains(logged.String(), "answer cut short") || !strings.Contains(logged.String(), "interrupted") {
			t.Fatalf("status %d, log %q", rec.Code, logged.String())
		}
	})
}
