package pwa

import (
	"net/http"

	"github.com/labstack/echo/v4"
	g "maragu.dev/gomponents"

	"zoufang/station"
)

// Handler is a page handler: it returns what it renders, or an error
// (after gomponents' http.Adapt). Nothing else picks a status:
//
//   - a page and no error: 200 with the page;
//   - a page and an error: the page (a form showing its problems, a
//     resident told their link expired) with the status of the error's code
//     (422 for invalid input, 409 for a conflict, 410 for gone …);
//   - no page and an error: the error handler's page or JSON;
//   - neither: the handler answered itself (a redirect, a download).
type Handler func(c echo.Context) (g.Node, error)

// Adapt turns a Handler into an Echo handler.
func Adapt(f Handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		n, err := f(c)
		switch {
		case err != nil && n == nil:
			return err
		case err != nil:
			code := station.ErrorCode(err)
			if code == station.EInternal {
				return err // never a page over our own failure
			}
			return Render(c, station.HTTPStatus(code), n)
		case n == nil:
			return nil
		}
		return Render(c, http.StatusOK, n)
	}
}

// JSONHandler is a JSON endpoint: it returns the answer's body, or an
// error the error handler turns into {"error": …} with its status.
type JSONHandler func(c echo.Context) (any, error)

// AdaptJSON turns a JSONHandler into an Echo handler. Answers are never
// cached: they are one officer's data.
func AdaptJSON(f JSONHandler) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := f(c)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, v)
	}
}
