package gen

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// ParseNow reads the --now flag: RFC 3339, or "2006-01-02 15:04" or
// "2006-01-02" in the station's zone.
func ParseNow(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--now %q: want RFC 3339 (2026-12-01T15:30:00+08:00), 2026-12-01 15:30 or 2026-12-01", s)
}

// DirSize is the bytes of the files under dir.
func DirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n += info.Size()
		return nil
	})
	return n, err
}

// Print tells the operator what was written, how big the data dir is and
// how to sign in.
func Print(w io.Writer, r Result, dir string, size int64) {
	loc := r.Now.Location()
	fmt.Fprintf(w, "zoufang gen district: %s, seed %d, history %s to %s (%s), written in %.1f s\n",
		r.Station, r.Seed, r.From.In(loc).Format(time.DateOnly), r.Now.In(loc).Format("2006-01-02 15:04"), loc, r.Took.Seconds())
	for _, t := range r.Tables {
		fmt.Fprintf(w, "  %-18s %12s\n", t.Table, Thousands(t.Rows))
	}
	fmt.Fprintf(w, "data dir %s: %.1f MiB\n", dir, float64(size)/(1<<20))
	last := FirstBadge + r.Officers - 1
	fmt.Fprintf(w, "Logins (警号 badge / 密码 password %s): deputy chief %s; community officers %d … %d\n", Password, ChiefBadge, FirstBadge, last)
}

// Thousands writes n with a comma between thousands: 1,000,000.
func Thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
