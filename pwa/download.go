package pwa

import (
	"io"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// XLSX answers c with a workbook download written to the returned writer.
// fallback is the ASCII file name for old clients, name the Chinese one.
// The headers go out with the first bytes, not before: an export that
// fails before it has written anything (its query, its first page) still
// answers with the error page, not a cut-off file.
func XLSX(c echo.Context, fallback, name string) io.Writer {
	return &download{c: c, disposition: "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + url.PathEscape(name),
		contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
}

type download struct {
	c                        echo.Context
	disposition, contentType string
}

func (d *download) Write(p []byte) (int, error) {
	res := d.c.Response()
	if !res.Committed {
		res.Header().Set("Content-Disposition", d.disposition)
		res.Header().Set("Content-Type", d.contentType)
		res.WriteHeader(http.StatusOK)
	}
	return res.Write(p)
}
