package households

import "slices"

// SameAs reports whether in, normalised, is what cur already holds (a
// retried push, or an edit that changes nothing).
func (in Input) SameAs(cur *Household) bool {
	h, problems := in.normalize()
	if len(problems) > 0 {
		return false
	}
	return h.Community == cur.Community && h.Grid == cur.Grid && h.Address == cur.Address &&
		h.Building == cur.Building && h.Unit == cur.Unit && h.Room == cur.Room &&
		h.HeadName == cur.HeadName && slices.Equal(h.Phones, cur.Phones) && h.Residents == cur.Residents &&
		slices.Equal(sorted(h.Tags), sorted(cur.Tags)) && h.Notes == cur.Notes
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
