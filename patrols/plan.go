package patrols

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // plan images may be JPEG
	_ "image/png"  // or PNG
	"io"
	"net/http"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	_ "golang.org/x/image/webp" // or WebP

	"zoufang/station"
)

// Plan image limits. SVG is not accepted: a user's SVG is a document that
// can carry script, and the map draws its own SVG over a plain image.
const (
	PlanMaxBytes  = 5 << 20
	PlanMinPixels = 50
	PlanMaxPixels = 10000
)

// PlanTypes are the image types a plan may be, as sniffed from its bytes
// (never from its name).
var PlanTypes = []string{"image/png", "image/jpeg", "image/webp"}

// plan checks a plan image on every write path: one map per community, and
// a newly uploaded image of at most PlanMaxBytes that really is a PNG, JPEG
// or WebP of sensible dimensions, which it records.
func (h *hooks) plan(e *core.RecordEvent) error {
	rec, app := e.Record, e.App
	p := station.Problems{}
	if comm := community(app, rec, p, "community"); comm != "" {
		other, err := app.FindFirstRecordByData(MapsCollection, "community", comm)
		if err == nil && other.Id != rec.Id {
			p.Add("community", "plan_exists")
		}
	}
	if files := rec.GetUnsavedFiles("image"); len(files) > 0 {
		w, ht, code, args := checkImage(files[len(files)-1])
		if code != "" {
			p.Add("image", code, args...)
		} else {
			rec.Set("width", w)
			rec.Set("height", ht)
		}
	} else if rec.GetString("image") == "" {
		p.Add("image", "required")
	}
	if id := rec.GetString("uploaded_by"); id != "" {
		if _, err := app.FindRecordById("officers", id); err != nil {
			p.Add("uploaded_by", "officer_unknown")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return e.Next()
}

// checkImage reads an uploaded file (at most PlanMaxBytes of it) and returns
// its dimensions, or the problem code and its message's arguments.
func checkImage(f *filesystem.File) (w, h int, code string, args []any) {
	if f.Size > PlanMaxBytes {
		return 0, 0, "image_too_large", []any{PlanMaxBytes >> 20}
	}
	r, err := f.Reader.Open()
	if err != nil {
		return 0, 0, "image_unreadable", nil
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, PlanMaxBytes+1))
	switch {
	case err != nil:
		return 0, 0, "image_unreadable", nil
	case len(b) > PlanMaxBytes:
		return 0, 0, "image_too_large", []any{PlanMaxBytes >> 20}
	}
	sniffed := http.DetectContentType(b)
	if !slices.Contains(PlanTypes, sniffed) {
		return 0, 0, "image_type", nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || "image/"+format != sniffed {
		return 0, 0, "image_type", nil
	}
	if cfg.Width < PlanMinPixels || cfg.Height < PlanMinPixels || cfg.Width > PlanMaxPixels || cfg.Height > PlanMaxPixels {
		return 0, 0, "image_dimensions", []any{PlanMinPixels, PlanMaxPixels}
	}
	return cfg.Width, cfg.Height, "", nil
}

// ServePlan writes a community's plan image to w for o. The file must be
// the community's current one: an old name (the image was replaced) is not
// found, so a cached copy is only ever the right one. The URL names the
// file, so the answer may be cached for good; it is private (officers of
// the community only) and sandboxed.
func (s *Store) ServePlan(w http.ResponseWriter, r *http.Request, o *station.Officer, community, file string) error {
	if !o.CoversCommunity(community) {
		return notFound()
	}
	rec, err := s.app.FindFirstRecordByData(MapsCollection, "community", community)
	if err != nil || rec.GetString("image") != file || file == "" {
		return notFound()
	}
	fsys, err := s.app.NewFilesystem()
	if err != nil {
		return station.Internal(err, "open the file store")
	}
	defer fsys.Close()
	h := w.Header()
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	if err := fsys.Serve(w, r, rec.BaseFilesPath()+"/"+file, file); err != nil {
		if errors.Is(err, filesystem.ErrNotFound) {
			return notFound()
		}
		return station.Internal(fmt.Errorf("serve %s: %w", file, err), "serve plan")
	}
	return nil
}
