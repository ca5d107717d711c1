package households

import (
	"context"
	"fmt"
	"log/slog"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// searchIndex keeps what a registry search filters on in memory, with an
// n-gram index over each household's search text (see grams): for every
// character, every pair of adjacent characters and every three adjacent
// digits, the entries that hold it. A term of two or more characters
// intersects the lists of its pairs and digit triples (a one-character
// term reads its character's list), smallest first, and only the entries
// left are checked with strings.Contains and the other filters, so a
// search costs what it finds, not the size of the registry: about 1 ms
// for a name or phone fragment at 1,000,000 households, where a scan took
// 50–400 ms. A search with no text still reads every entry (about 10 ms
// at 1,000,000).
//
// The index is built once in the background (Warm, or the first search);
// until it is ready a search is answered by SQL. After that it brings
// itself up to date before each search by reading the households whose
// sync stamp moved past the last one it saw (the same gap-free (updated,
// id) order /sync/pull pages by) and changing only their lists. It is
// correct across processes (a command-line import is seen on the next
// search) and needs no hooks.
type searchIndex struct {
	app core.App

	ready atomic.Bool // st is built; searches use it

	runMu sync.Mutex
	run   *indexRun // the build under way or done; nil before one or after one failed

	mu sync.RWMutex
	st *indexState
}

// indexRun is one build of the index; err is set before done closes.
type indexRun struct {
	done chan struct{}
	err  error
}

func newSearchIndex(app core.App) *searchIndex { return &searchIndex{app: app} }

// begin starts building the index in the background unless a build is
// under way or done, and returns that build.
func (x *searchIndex) begin() *indexRun {
	x.runMu.Lock()
	defer x.runMu.Unlock()
	if x.run != nil {
		return x.run
	}
	r := &indexRun{done: make(chan struct{})}
	x.run = r
	go func() {
		defer close(r.done)
		st, err := x.build(context.Background())
		if err != nil {
			r.err = err
			slog.Error("build the household search index", "err", err)
			x.runMu.Lock()
			x.run = nil // the next search tries again
			x.runMu.Unlock()
			return
		}
		x.mu.Lock()
		x.st = st
		x.mu.Unlock()
		x.ready.Store(true)
	}()
	return r
}

// wait starts the build if need be and waits for it.
func (x *searchIndex) wait(ctx context.Context) error {
	r := x.begin()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// indexRow is what the index reads of a household.
type indexRow struct {
	ID          string `db:"id"`
	Community   string `db:"community"`
	Grid        string `db:"grid"`
	Address     string `db:"address"`
	Search      string `db:"search"`
	Tags        string `db:"tags"`
	Archived    bool   `db:"archived"`
	WeChat      string `db:"wechat_contact"`
	LastVisited string `db:"last_visited_at"`
	Updated     string `db:"updated"`
}

var indexColumns = []string{"id", "community", "grid", "address", "search", "tags", "archived", "wechat_contact", "last_visited_at", "updated"}

// build reads every household into a new index.
func (x *searchIndex) build(ctx context.Context) (*indexState, error) {
	st := newIndexState()
	rows, err := x.app.DB().Select(indexColumns...).From(Collection).
		OrderBy("updated ASC", "id ASC").WithContext(ctx).Rows()
	if err != nil {
		return nil, fmt.Errorf("read households for the search index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r indexRow
		if err := rows.ScanStruct(&r); err != nil {
			return nil, fmt.Errorf("read a household for the search index: %w", err)
		}
		st.put(r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read households for the search index: %w", err)
	}
	st.finish()
	st.grams.compact(len(st.entries))
	return st, nil
}

// refresh loads the households changed since the last refresh; the index
// must be ready.
func (x *searchIndex) refresh(ctx context.Context) error {
	var top string
	if err := x.app.DB().Select("COALESCE(MAX([[updated]]), '')").From(Collection).WithContext(ctx).Row(&top); err != nil {
		return fmt.Errorf("latest household stamp: %w", err)
	}
	x.mu.RLock()
	fresh := top == x.st.last
	x.mu.RUnlock()
	if fresh {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	st := x.st
	if top == st.last {
		return nil
	}
	var rows []indexRow
	err := x.app.DB().Select(indexColumns...).
		From(Collection).Where(dbx.NewExp("[[updated]] > {:last}", dbx.Params{"last": st.last})).
		OrderBy("updated ASC", "id ASC").WithContext(ctx).All(&rows)
	if err != nil {
		return fmt.Errorf("load changed households: %w", err)
	}
	for _, r := range rows {
		st.put(r)
	}
	st.finish()
	return nil
}

// match returns the ids of the households f keeps, in its order, and how
// many there are; the index must be ready.
func (x *searchIndex) match(f *filter) (ids []string, total int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.st.match(f)
}

// indexState is the index itself. Entries are numbered in the order they
// were first read and keep their number; the lists hold numbers.
type indexState struct {
	entries []indexEntry
	byID    map[string]int32
	sorted  []int32 // entry numbers by address, then id
	rank    []int32 // entry number → its place in sorted
	grams   grams
	last    string            // the highest sync stamp seen
	names   map[string]string // community and grid ids, stored once
	moved   []int32           // entries new or readdressed since finish
}

type indexEntry struct {
	id, community, grid, address string
	search                       string // lower-case haystack, see Household.searchText
	tags                         string // the stored JSON array, for a quoted match
	archived                     bool
	wechat                       bool
	moving                       bool  // in moved: its place in sorted is to be found
	lastVisited                  int64 // unix ms; 0 never
}

func newIndexState() *indexState {
	return &indexState{byID: map[string]int32{}, names: map[string]string{}, grams: grams{ids: map[uint64]int32{}}}
}

func (st *indexState) name(s string) string {
	if v, ok := st.names[s]; ok {
		return v
	}
	st.names[s] = s
	return s
}

// put adds or replaces one household; finish then places the new and
// readdressed ones in the address order.
func (st *indexState) put(r indexRow) {
	e := indexEntry{id: r.ID, community: st.name(r.Community), grid: st.name(r.Grid), address: r.Address,
		search: r.Search, tags: r.Tags, archived: r.Archived, wechat: r.WeChat != ""}
	if r.LastVisited != "" {
		if d, err := types.ParseDateTime(r.LastVisited); err == nil {
			e.lastVisited = d.Time().UnixMilli()
		}
	}
	if n, ok := st.byID[r.ID]; ok {
		old := &st.entries[n]
		if old.search != e.search {
			st.grams.change(n, old.search, e.search)
		}
		e.moving = old.moving || old.address != e.address
		if e.moving && !old.moving {
			st.moved = append(st.moved, n)
		}
		*old = e
	} else {
		n := int32(len(st.entries))
		e.moving = true
		st.entries = append(st.entries, e)
		st.byID[r.ID] = n
		st.grams.add(n, e.search)
		st.moved = append(st.moved, n)
	}
	if r.Updated > st.last {
		st.last = r.Updated
	}
}

func (st *indexState) less(a, b int32) int {
	ea, eb := &st.entries[a], &st.entries[b]
	if c := strings.Compare(ea.address, eb.address); c != 0 {
		return c
	}
	return strings.Compare(ea.id, eb.id)
}

// finish merges the moved entries into the address order, in one pass
// over it, and renumbers the ranks.
func (st *indexState) finish() {
	if len(st.moved) == 0 {
		return
	}
	slices.SortFunc(st.moved, st.less)
	next := make([]int32, 0, len(st.entries))
	i := 0
	for _, n := range st.sorted {
		if st.entries[n].moving {
			continue
		}
		for i < len(st.moved) && st.less(st.moved[i], n) < 0 {
			next = append(next, st.moved[i])
			i++
		}
		next = append(next, n)
	}
	next = append(next, st.moved[i:]...)
	for _, n := range st.moved {
		st.entries[n].moving = false
	}
	st.moved = st.moved[:0]
	st.sorted = next
	if len(st.rank) < len(st.entries) {
		st.rank = slices.Grow(st.rank, len(st.entries)-len(st.rank))[:len(st.entries)]
	}
	for p, n := range st.sorted {
		st.rank[n] = int32(p)
	}
}

// match is searchIndex.match.
func (st *indexState) match(f *filter) (ids []string, total int) {
	var ranks []int32
	keep := func(n int32) {
		e := &st.entries[n]
		if !f.keeps(e) {
			return
		}
		for _, t := range f.terms {
			if !strings.Contains(e.search, t) {
				return
			}
		}
		ranks = append(ranks, st.rank[n])
	}
	if cand, all := st.candidates(f.terms); all {
		for n := range st.entries {
			keep(int32(n))
		}
	} else {
		for _, n := range cand {
			keep(n)
		}
	}
	// Into the address order: many hits are marked on a bitmap of ranks
	// and read back in order, few are sorted.
	if len(ranks) > len(st.sorted)/32 {
		words := make([]uint64, (len(st.sorted)+63)/64)
		for _, r := range ranks {
			words[r/64] |= 1 << (r % 64)
		}
		ranks = ranks[:0]
		for w, word := range words {
			for word != 0 {
				ranks = append(ranks, int32(w*64+bits.TrailingZeros64(word)))
				word &= word - 1
			}
		}
	} else {
		slices.Sort(ranks)
	}
	if f.q.Sort == SortLastVisited || f.q.Sort == SortRecent {
		// Longest unvisited first (never visited before all), or most
		// recently visited first; then address. The keys are read once,
		// not at every comparison.
		type key struct {
			at   int64
			rank int32
		}
		keys := make([]key, len(ranks))
		for i, r := range ranks {
			keys[i] = key{st.entries[st.sorted[r]].lastVisited, r}
			if f.q.Sort == SortRecent {
				keys[i].at = -keys[i].at
			}
		}
		slices.SortFunc(keys, func(a, b key) int {
			if c := cmpInt(a.at, b.at); c != 0 {
				return c
			}
			return int(a.rank - b.rank)
		})
		for i, k := range keys {
			ranks[i] = k.rank
		}
	}
	total = len(ranks)
	from := min(max(f.q.Offset, 0), total)
	to := min(from+max(f.q.Limit, 0), total)
	for _, r := range ranks[from:to] {
		ids = append(ids, st.entries[st.sorted[r]].id)
	}
	return ids, total
}

// candidates are the entries whose search text holds every gram of the
// terms, in number order; all says there is nothing to narrow by (no
// terms), so every entry is a candidate. The caller still checks each term
// with strings.Contains.
func (st *indexState) candidates(terms []string) (cand []int32, all bool) {
	var want []int32
	for _, t := range terms {
		if !utf8.ValidString(t) {
			continue // its bytes may sit inside a character; Contains decides
		}
		ok := true
		st.grams.each(t, func(id int32) { want = append(want, id) }, func(a, b, c rune) (int32, bool) {
			id, found := st.grams.lookup(a, b, c)
			ok = ok && found
			return id, found
		})
		if !ok {
			return nil, false
		}
	}
	if len(want) == 0 {
		return nil, true
	}
	slices.Sort(want)
	want = slices.Compact(want)
	var lists, maps []*posting
	for _, id := range want {
		if p := &st.grams.lists[id]; p.bits != nil {
			maps = append(maps, p)
		} else {
			lists = append(lists, p)
		}
	}
	if len(lists) > 0 {
		// The shortest list, intersected with the others, smallest first,
		// then tried against the bitmaps.
		slices.SortFunc(lists, func(a, b *posting) int { return len(a.ids) - len(b.ids) })
		cand = lists[0].ids
		own := false
		for _, l := range lists[1:] {
			if len(cand) == 0 {
				break
			}
			var out []int32
			if own {
				out = cand[:0]
			} else {
				out = make([]int32, 0, len(cand))
			}
			cand, own = intersect(out, cand, l.ids), true
		}
		for _, m := range maps {
			var out []int32
			if own {
				out = cand[:0]
			} else {
				out = make([]int32, 0, len(cand))
			}
			for _, n := range cand {
				if m.has(n) {
					out = append(out, n)
				}
			}
			cand, own = out, true
		}
		return cand, false
	}
	// Only bitmaps (the grams of digits): one AND over their words.
	words := slices.Clone(maps[0].bits)
	for _, m := range maps[1:] {
		words = words[:min(len(words), len(m.bits))]
		for i := range words {
			words[i] &= m.bits[i]
		}
	}
	for w, word := range words {
		for word != 0 {
			cand = append(cand, int32(w*64+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return cand, false
}

// intersect appends to out the numbers in both a and b (sorted), where a
// is the shorter; out may be a[:0]. A much longer b is searched, not
// walked.
func intersect(out, a, b []int32) []int32 {
	if len(b) > 16*len(a) {
		for _, n := range a {
			i, ok := slices.BinarySearch(b, n)
			if ok {
				out = append(out, n)
			}
			b = b[i:]
		}
		return out
	}
	j := 0
	for _, n := range a {
		for j < len(b) && b[j] < n {
			j++
		}
		if j == len(b) {
			break
		}
		if b[j] == n {
			out = append(out, n)
		}
	}
	return out
}

// noRune stands for "no character": a gram of fewer than three.
const noRune rune = -1

// The grams with fixed ids: every ASCII character alone or followed by
// another (digits, Latin letters, dashes), and every three digits, which
// a phone fragment is found by (two digits are in too many numbers).
const (
	smallGrams = 128 * 129
	digitGrams = 1000
	fixedGrams = smallGrams + digitGrams
)

// grams holds, for each gram (one character, two adjacent ones, or three
// adjacent digits of the search texts), the entries whose text holds it.
// Whitespace separates the text's parts and is in no gram, as no term
// holds it.
type grams struct {
	lists      []posting        // by gram id; the first fixedGrams have fixed ids
	ids        map[uint64]int32 // the id of every other gram
	buf1, buf2 []int32          // scratch for a text's grams
}

// posting is the entries that hold one gram: a sorted list of their
// numbers, or, for a gram more than one entry in 32 holds (most grams of
// digits), a bitmap of them, which is smaller and is intersected a word
// at a time.
type posting struct {
	ids  []int32
	bits []uint64
	n    int32 // how many entries bits holds
}

func (p *posting) len() int {
	if p.bits != nil {
		return int(p.n)
	}
	return len(p.ids)
}

func (p *posting) has(e int32) bool {
	w := int(e / 64)
	return w < len(p.bits) && p.bits[w]&(1<<(e%64)) != 0
}

// insert adds entry e.
func (p *posting) insert(e int32) {
	if p.bits == nil {
		l := len(p.ids)
		switch {
		case l == 0 || p.ids[l-1] < e:
			p.ids = append(p.ids, e)
		case p.ids[l-1] == e: // a gram seen twice in a text
		default:
			if k, ok := slices.BinarySearch(p.ids, e); !ok {
				p.ids = slices.Insert(p.ids, k, e)
			}
		}
		return
	}
	if w := int(e / 64); w >= len(p.bits) {
		p.bits = append(p.bits, make([]uint64, w+1-len(p.bits))...)
	}
	if !p.has(e) {
		p.bits[e/64] |= 1 << (e % 64)
		p.n++
	}
}

// remove takes entry e out.
func (p *posting) remove(e int32) {
	if p.bits == nil {
		if k, ok := slices.BinarySearch(p.ids, e); ok {
			p.ids = slices.Delete(p.ids, k, k+1)
		}
		return
	}
	if p.has(e) {
		p.bits[e/64] &^= 1 << (e % 64)
		p.n--
	}
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// fixedGram is the fixed id of the gram abc (c, or b and c, noRune for a
// shorter one), if it has one.
func fixedGram(a, b, c rune) (int32, bool) {
	switch {
	case c != noRune:
		if isDigit(a) && isDigit(b) && isDigit(c) {
			return smallGrams + (a-'0')*100 + (b-'0')*10 + (c - '0'), true
		}
		return 0, false
	case a >= 128 || b >= 128:
		return 0, false
	case b == noRune:
		b = 128
	}
	return a*129 + b, true
}

// id is the id of the gram ab (b noRune for a single character), made if
// new; of three characters only digits are kept (fixedGram).
func (g *grams) id(a, b, c rune) (int32, bool) {
	if len(g.lists) == 0 {
		g.lists = make([]posting, fixedGrams)
	}
	if id, ok := fixedGram(a, b, c); ok {
		return id, true
	}
	if c != noRune {
		return 0, false
	}
	k := uint64(uint32(a))<<32 | uint64(uint32(b))
	if id, ok := g.ids[k]; ok {
		return id, true
	}
	id := int32(len(g.lists))
	g.ids[k] = id
	g.lists = append(g.lists, posting{})
	return id, true
}

// lookup is the id of the gram abc, if any entry holds it; a gram of
// three characters the index does not keep is found (as no id), since
// only the shorter grams narrow by it.
func (g *grams) lookup(a, b, c rune) (int32, bool) {
	id, ok := fixedGram(a, b, c)
	if !ok {
		if c != noRune {
			return -1, true
		}
		id, ok = g.ids[uint64(uint32(a))<<32|uint64(uint32(b))]
	}
	if !ok || int(id) >= len(g.lists) || g.lists[id].len() == 0 {
		return 0, false
	}
	return id, true
}

// each calls put with the id of every gram of s (repeats included) that
// gram gives one for: each character, each pair of adjacent characters,
// each three adjacent digits; a term of one character is its gram, a
// longer term its pairs and digit triples.
func (g *grams) each(s string, put func(int32), gram func(a, b, c rune) (int32, bool)) {
	p1, p2 := noRune, noRune // the characters before
	single := utf8.RuneCountInString(s) == 1
	for _, r := range s {
		if unicode.IsSpace(r) {
			p1, p2 = noRune, noRune
			continue
		}
		if single || gram == nil {
			if id, ok := gramOr(g, gram, r, noRune, noRune); ok && id >= 0 {
				put(id)
			}
		}
		if p1 != noRune {
			if id, ok := gramOr(g, gram, p1, r, noRune); ok && id >= 0 {
				put(id)
			}
			if p2 != noRune && isDigit(p2) && isDigit(p1) && isDigit(r) {
				if id, ok := gramOr(g, gram, p2, p1, r); ok && id >= 0 {
					put(id)
				}
			}
		}
		p2, p1 = p1, r
	}
}

// gramOr is gram(a, b, c), or g.id when gram is nil (building).
func gramOr(g *grams, gram func(a, b, c rune) (int32, bool), a, b, c rune) (int32, bool) {
	if gram != nil {
		return gram(a, b, c)
	}
	return g.id(a, b, c)
}

// of appends the ids of the grams of s to buf, sorted and each once.
func (g *grams) of(s string, buf []int32) []int32 {
	g.each(s, func(id int32) { buf = append(buf, id) }, nil)
	slices.Sort(buf)
	return slices.Compact(buf)
}

// add lists entry n, numbered above every entry listed so far, under the
// grams of s. A gram seen twice in s finds n already last in its list.
func (g *grams) add(n int32, s string) {
	g.each(s, func(id int32) { g.lists[id].insert(n) }, nil)
}

// change moves entry n from the grams of old to those of s: only the
// grams one has and the other lacks are touched.
func (g *grams) change(n int32, old, s string) {
	was := g.of(old, g.buf1[:0])
	now := g.of(s, g.buf2[:0])
	g.buf1, g.buf2 = was, now
	i, j := 0, 0
	for i < len(was) || j < len(now) {
		switch {
		case j == len(now) || (i < len(was) && was[i] < now[j]):
			g.lists[was[i]].remove(n)
			i++
		case i == len(was) || now[j] < was[i]:
			g.lists[now[j]].insert(n)
			j++
		default:
			i++
			j++
		}
	}
}

// compact makes bitmaps of the lists more than one entry in 32 of
// entries holds, and gives back the room the others grew into.
func (g *grams) compact(entries int) {
	for i := range g.lists {
		p := &g.lists[i]
		switch {
		case p.bits != nil:
		case len(p.ids) > entries/32 && entries >= 64:
			p.bits = make([]uint64, (entries+63)/64)
			for _, e := range p.ids {
				p.bits[e/64] |= 1 << (e % 64)
			}
			p.n, p.ids = int32(len(p.ids)), nil
		case cap(p.ids)-len(p.ids) > len(p.ids)/8:
			p.ids = slices.Clone(p.ids)
		}
	}
}
