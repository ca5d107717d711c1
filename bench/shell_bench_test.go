package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"zoufang/app/apptest"
)

var (
	// The page's render-blocking references: stylesheets and module scripts.
	stylesheetRe = regexp.MustCompile(`<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"`)
	moduleRe     = regexp.MustCompile(`<script[^>]*type="module"[^>]*src="([^"]+)"`)
	importMapRe  = regexp.MustCompile(`(?s)<script type="importmap">(.*?)</script>`)
	// Other references of the head, fetched but not needed to render.
	otherLinkRe = regexp.MustCompile(`<link[^>]*rel="(manifest|icon|apple-touch-icon)"[^>]*href="([^"]+)"`)
	// Static imports and re-exports of an ES module.
	staticImportRe = regexp.MustCompile(`(?m)^\s*(?:import|export)\s*(?:[\w*{}\s,$]*?\s*from\s*)?["']([^"']+)["']`)
	cssURLRe       = regexp.MustCompile(`url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']`)
)

// fetched is one file of the page as it crossed the wire.
type fetched struct {
	path     string
	kind     string
	wire     int
	plain    int
	encoding string
}

// fetchGz gets path with Accept-Encoding: gzip and returns the wire size,
// the uncompressed body and the encoding.
func fetchGz(b *testing.B, c *http.Client, base, path string) (int, []byte, string) {
	b.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body := readAll(b, res)
	enc := res.Header.Get("Content-Encoding")
	if enc == "gzip" {
		return len(body), gunzip(b, body), enc
	}
	return len(body), body, "identity"
}

// criticalPath fetches the field shell document (GET / as a signed-in
// officer) and everything the browser must have before the first render:
// the stylesheet, js/app.js and every module of its static import graph,
// resolved through the page's import map as the browser resolves them.
func criticalPath(b *testing.B, env *apptest.Env, c *http.Client) (critical, other []fetched) {
	b.Helper()
	wire, doc, enc := fetchGz(b, c, env.URL, "/")
	html := string(doc)
	if !strings.Contains(html, `data-field="1"`) {
		b.Fatalf("GET / is not the field shell: %.300s", html)
	}
	critical = append(critical, fetched{"/", "document", wire, len(doc), enc})

	imports := map[string]string{}
	if m := importMapRe.FindStringSubmatch(html); m != nil {
		var im struct{ Imports map[string]string }
		if err := json.Unmarshal([]byte(m[1]), &im); err != nil {
			b.Fatalf("import map: %v", err)
		}
		imports = im.Imports
	}
	base, _ := url.Parse(env.URL + "/")
	resolve := func(from, spec string) string {
		if u, ok := imports[spec]; ok { // a bare specifier or exact URL
			return u
		}
		ref, err := url.Parse(spec)
		if err != nil {
			b.Fatalf("import %q: %v", spec, err)
		}
		f, _ := url.Parse(from)
		p := base.ResolveReference(f).ResolveReference(ref).Path
		if u, ok := imports[p]; ok {
			return u
		}
		return p
	}

	seen := map[string]bool{}
	var visit func(path, kind string)
	visit = func(path, kind string) {
		if seen[path] {
			return
		}
		seen[path] = true
		wire, body, enc := fetchGz(b, c, env.URL, path)
		critical = append(critical, fetched{path, kind, wire, len(body), enc})
		switch kind {
		case "module":
			for _, m := range staticImportRe.FindAllStringSubmatch(string(body), -1) {
				visit(resolve(path, m[1]), "module")
			}
		case "stylesheet":
			for _, m := range cssURLRe.FindAllStringSubmatch(string(body), -1) {
				ref := m[1] + m[2]
				if !strings.HasPrefix(ref, "data:") {
					visit(resolve(path, ref), "css-ref")
				}
			}
		}
	}
	for _, m := range stylesheetRe.FindAllStringSubmatch(html, -1) {
		visit(m[1], "stylesheet")
	}
	for _, m := range moduleRe.FindAllStringSubmatch(html, -1) {
		visit(m[1], "module")
	}
	for _, m := range otherLinkRe.FindAllStringSubmatch(html, -1) {
		if seen[m[2]] {
			continue
		}
		seen[m[2]] = true
		wire, body, enc := fetchGz(b, c, env.URL, m[2])
		other = append(other, fetched{m[2], m[1], wire, len(body), enc})
	}
	return critical, other
}

// BenchmarkShellBytes reports the critical-path bytes of the field shell:
// the document and every file it needs before first render, each with
// gzip, per file and in total. (Bytes are answer bodies; headers aside.)
func BenchmarkShellBytes(b *testing.B) {
	b.StopTimer()
	env := apptest.New(b)
	c := rawClient(env.SignIn(env.OfficerA).HTTP.Jar)
	for i := 0; i < b.N; i++ {
		critical, other := criticalPath(b, env, c)
		var wire, plain, modules int
		b.Logf("%-52s %-10s %-8s %9s %9s", "critical path", "kind", "encoding", "wire B", "plain B")
		for _, f := range critical {
			b.Logf("%-52s %-10s %-8s %9d %9d", f.path, f.kind, f.encoding, f.wire, f.plain)
			wire += f.wire
			plain += f.plain
			if f.kind == "module" {
				modules++
			}
		}
		b.Logf("%-52s %-10s %-8s %9d %9d", fmt.Sprintf("total (%d files, %d modules)", len(critical), modules), "", "", wire, plain)
		for _, f := range other {
			b.Logf("not render-blocking: %-40s %-16s %-8s %9d %9d", f.path, f.kind, f.encoding, f.wire, f.plain)
		}
		b.ReportMetric(float64(wire), "critical_wire_B")
		b.ReportMetric(float64(plain), "critical_plain_B")
		b.ReportMetric(float64(len(critical)), "critical_files")
	}
	b.ReportMetric(0, "ns/op")
}
