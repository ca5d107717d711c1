package households

import (
	"bytes"
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
// It holds about 210 MB at 1,000,000 households (about 22 MB at 100,000),
// a third of it the gram lists (see posting) and most of the rest the
// search texts; see indexState for how the entries are kept small.
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

	mu   sync.RWMutex
	st   *indexState
	gone []string // deleted while the index was being built

	forgetOnce sync.Once
}

// forget takes a deleted household out of every answer.
func (x *searchIndex) forget(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.st == nil {
		x.gone = append(x.gone, id)
		return
	}
	x.st.forget(id)
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
	// The sync stamp shows every change but a deletion.
	x.forgetOnce.Do(func() {
		x.app.OnRecordAfterDeleteSuccess(Collection).BindFunc(func(e *core.RecordEvent) error {
			x.forget(e.Record.Id)
			return e.Next()
		})
	})
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
		for _, id := range x.gone {
			st.forget(id)
		}
		x.gone = nil
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
		st.add(r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read households for the search index: %w", err)
	}
	st.seal()
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
//
// It is kept small (about 50 bytes an entry besides its text and its
// grams, where Go strings and a map took over 300): each entry's id is 15 bytes in one array, its search text (and
// its address, when the text does not begin with it) sits in one shared
// byte arena, its community, grid and tags are one code into a table of
// the combinations seen, and its last visit and flags share one int64.
// An edited text is appended to the arena and its old bytes are left as
// waste until finish copies the arena, once waste is a quarter of it.
type indexState struct {
	ids     []byte           // entry n's id is ids[n*idLen:][:idLen]; see odd
	odd     map[int32]string // ids not idLen bytes long (PocketBase makes none)
	ents    []entry
	text    arena // the search texts and addresses
	waste   int   // bytes of text no entry points at
	places  []place
	placeOf map[place]uint32
	byID    []int32          // the entries in id order, but for those in fresh
	fresh   map[string]int32 // entries put since finish, by id
	added   []int32          // entries added since finish, not yet in byID
	sorted  []int32          // entry numbers by address, then id
	rank    []int32          // entry number → its place in sorted
	grams   grams
	last    string  // the highest sync stamp seen
	moved   []int32 // entries new or readdressed since finish
}

// idLen is the length of a PocketBase record id.
const idLen = 15

// place is what a search filters on that many households share: their
// community, grid and tags (the stored JSON array, for a quoted match).
type place struct{ community, grid, tags string }

// entry is one household; its id is in indexState.ids.
type entry struct {
	off, n uint32 // its search text (see Household.searchText, squeeze) is text[off:][:n]
	addr   uint32 // its address is text[off:][:addr], or text[off+n:][:addr] with flagAddrAfter
	place  uint32 // index into places
	visit  int64  // last visit in unix ms (0 never) << flagBits | flags
}

const (
	flagArchived  = 1 << iota
	flagWeChat    // it has a WeChat contact
	flagMoving    // in moved: its place in sorted is to be found
	flagAddrAfter // its address follows its text in the arena
	flagGone      // deleted (a superuser in the admin UI): in no answer
	flagBits      = iota
)

func (e *entry) lastVisited() int64  { return e.visit >> flagBits }
func (e *entry) has(flag int64) bool { return e.visit&flag != 0 }

func newIndexState() *indexState {
	return &indexState{odd: map[int32]string{}, placeOf: map[place]uint32{}, fresh: map[string]int32{},
		grams: grams{ids: map[uint64]int32{}}}
}

// id is entry n's id.
func (st *indexState) id(n int32) string {
	if s, ok := st.odd[n]; ok {
		return s
	}
	return string(st.ids[int(n)*idLen:][:idLen])
}

func (st *indexState) search(e *entry) []byte { return st.text.at(e.off, e.n) }

func (st *indexState) address(e *entry) []byte {
	if e.has(flagAddrAfter) {
		return st.text.at(e.off, e.n+e.addr)[e.n:]
	}
	return st.text.at(e.off, e.addr)
}

// arena holds bytes in chunks of 1 MB, so that adding to it never copies
// what it holds (a single slice would, and would keep a quarter of its
// length spare). A place in it is a uint32: chunk << chunkBits | offset;
// what is written at once lies in one chunk, one of its own (at offset
// 0, however long) if longer than a chunk.
type arena struct {
	chunks [][]byte // each of capacity chunkSize, but those of one longer text or cut to length by seal
	used   int      // bytes written
}

const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
)

func (a *arena) at(off, n uint32) []byte {
	return a.chunks[off>>chunkBits][off&(chunkSize-1):][:n]
}

// room makes room for up to n bytes at the end of the last chunk (see
// last) and is the place they will start at.
func (a *arena) room(n int) uint32 {
	if k := len(a.chunks); k > 0 {
		if c := a.chunks[k-1]; len(c)+n <= chunkSize && cap(c) == chunkSize {
			return uint32((k-1)<<chunkBits | len(c))
		}
	}
	a.chunks = append(a.chunks, make([]byte, 0, max(n, chunkSize)))
	return uint32((len(a.chunks) - 1) << chunkBits)
}

// last is the chunk room made room in.
func (a *arena) last() *[]byte { return &a.chunks[len(a.chunks)-1] }

// find is the number of the entry with id id, if there is one.
func (st *indexState) find(id string) (int32, bool) {
	if n, ok := st.fresh[id]; ok {
		return n, true
	}
	k, ok := slices.BinarySearchFunc(st.byID, id, func(n int32, id string) int { return strings.Compare(st.id(n), id) })
	if !ok {
		return 0, false
	}
	return st.byID[k], true
}

// squeeze appends s to dst without the parts (space-separated) that
// another part holds, such as the bare mobile number after the one with
// 86 before it: a term has no space, so it is in s exactly when it is in
// one part, and then in the part holding that one; and as all the
// grams of a part are the grams of the part holding it, the grams stay
// the same. A text that is not valid UTF-8 is kept as it is.
func squeeze(dst []byte, s string) []byte {
	if !utf8.ValidString(s) || !strings.Contains(s, " ") || strings.Count(s, " ") >= 64 {
		return append(dst, s...) // a text of many parts is kept whole: they are compared in pairs
	}
	parts := strings.Split(s, " ")
	start := len(dst)
	for i, p := range parts {
		if p == "" {
			continue
		}
		held := false
		for j, q := range parts {
			if j != i && strings.Contains(q, p) && (len(q) > len(p) || j < i) {
				held = true
				break
			}
		}
		if held {
			continue
		}
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = append(dst, p...)
	}
	return dst
}

// store writes r's search text and address to the arena and sets e's
// offsets to them.
func (st *indexState) store(e *entry, r *indexRow) {
	e.off = st.text.room(len(r.Search) + len(r.Address))
	c := st.text.last()
	start := len(*c)
	*c = squeeze(*c, r.Search)
	text := (*c)[start:]
	e.n, e.addr = uint32(len(text)), uint32(len(r.Address))
	if e.addr > e.n || string(text[:e.addr]) != r.Address {
		*c = append(*c, r.Address...)
		e.visit |= flagAddrAfter
	}
	st.text.used += len(*c) - start
}

// entryOf is r's entry but for its text, and its place code.
func (st *indexState) entryOf(r *indexRow) entry {
	p := place{r.Community, r.Grid, r.Tags}
	code, ok := st.placeOf[p]
	if !ok {
		code = uint32(len(st.places))
		st.places = append(st.places, p)
		st.placeOf[p] = code
	}
	var visit int64
	if r.LastVisited != "" {
		if d, err := types.ParseDateTime(r.LastVisited); err == nil {
			visit = d.Time().UnixMilli() << flagBits
		}
	}
	if r.Archived {
		visit |= flagArchived
	}
	if r.WeChat != "" {
		visit |= flagWeChat
	}
	return entry{place: code, visit: visit}
}

// add adds a household the index does not hold (as build reads them:
// their ids are the table's key); finish then places it.
func (st *indexState) add(r indexRow) int32 {
	e := st.entryOf(&r)
	e.visit |= flagMoving
	st.store(&e, &r)
	n := int32(len(st.ents))
	st.ents = append(st.ents, e)
	if len(r.ID) == idLen {
		st.ids = append(st.ids, r.ID...)
	} else {
		st.ids = append(st.ids, make([]byte, idLen)...)
		st.odd[n] = r.ID
	}
	st.grams.add(n, r.Search) // the grams of its squeezed text
	st.added = append(st.added, n)
	st.moved = append(st.moved, n)
	st.seen(r.Updated)
	return n
}

func (st *indexState) seen(updated string) {
	if updated > st.last {
		st.last = updated
	}
}

// put adds or replaces one household; finish then places the new and
// readdressed ones in the address order.
func (st *indexState) put(r indexRow) {
	n, ok := st.find(r.ID)
	if !ok {
		st.fresh[r.ID] = st.add(r)
		return
	}
	old := &st.ents[n]
	e := st.entryOf(&r)
	oldSearch, oldAddr := st.search(old), st.address(old)
	if string(oldSearch) == string(squeeze(nil, r.Search)) && string(oldAddr) == r.Address {
		e.off, e.n, e.addr = old.off, old.n, old.addr
		e.visit |= old.visit & flagAddrAfter
	} else {
		st.waste += int(old.n)
		if old.has(flagAddrAfter) {
			st.waste += int(old.addr)
		}
		st.store(&e, &r)
		if s := st.search(&e); string(oldSearch) != string(s) {
			st.grams.change(n, string(oldSearch), string(s))
		}
	}
	moving := old.has(flagMoving) || string(oldAddr) != r.Address
	if moving {
		e.visit |= flagMoving
		if !old.has(flagMoving) {
			st.moved = append(st.moved, n)
		}
	}
	*old = e
	st.seen(r.Updated)
}

// forget marks household id gone; a household put again under the same id
// comes back.
func (st *indexState) forget(id string) {
	if n, ok := st.find(id); ok {
		st.ents[n].visit |= flagGone
	}
}

func (st *indexState) cmpID(a, b int32) int {
	if len(st.odd) == 0 {
		return bytes.Compare(st.ids[int(a)*idLen:][:idLen], st.ids[int(b)*idLen:][:idLen])
	}
	return strings.Compare(st.id(a), st.id(b))
}

func (st *indexState) less(a, b int32) int {
	if c := bytes.Compare(st.address(&st.ents[a]), st.address(&st.ents[b])); c != 0 {
		return c
	}
	return st.cmpID(a, b)
}

// finish merges the added entries into the id order and the moved ones
// into the address order, in one pass over each, renumbers the ranks and
// copies the arena if it holds too much waste.
func (st *indexState) finish() {
	if len(st.added) > 0 {
		slices.SortFunc(st.added, st.cmpID)
		st.byID = mergeSorted(st.byID, st.added, st.cmpID, nil)
		st.added = st.added[:0]
		clear(st.fresh)
	}
	if st.waste > 1<<16 && st.waste > st.text.used/4 {
		st.compactText()
	}
	if len(st.moved) == 0 {
		return
	}
	slices.SortFunc(st.moved, st.less)
	st.sorted = mergeSorted(st.sorted, st.moved, st.less, func(n int32) bool { return st.ents[n].has(flagMoving) })
	for _, n := range st.moved {
		st.ents[n].visit &^= flagMoving
	}
	st.moved = st.moved[:0]
	if len(st.rank) < len(st.ents) {
		st.rank = slices.Grow(st.rank, len(st.ents)-len(st.rank))[:len(st.ents)]
	}
	for p, n := range st.sorted {
		st.rank[n] = int32(p)
	}
}

// mergeSorted is a new list of old (but those skip drops) and more, both
// in cmp order.
func mergeSorted(old, more []int32, cmp func(a, b int32) int, skip func(int32) bool) []int32 {
	next := make([]int32, 0, len(old)+len(more))
	i := 0
	for _, n := range old {
		if skip != nil && skip(n) {
			continue
		}
		for i < len(more) && cmp(more[i], n) < 0 {
			next = append(next, more[i])
			i++
		}
		next = append(next, n)
	}
	return append(next, more[i:]...)
}

// compactText copies the arena without its waste.
func (st *indexState) compactText() {
	var text arena
	for i := range st.ents {
		e := &st.ents[i]
		n := e.n
		if e.has(flagAddrAfter) {
			n += e.addr
		}
		b := st.text.at(e.off, n)
		e.off = text.room(len(b))
		c := text.last()
		*c = append(*c, b...)
		text.used += len(b)
	}
	st.text, st.waste = text, 0
}

// seal gives back the room the lists grew into once the build is done.
func (st *indexState) seal() {
	st.finish()
	st.ids = slices.Clip(slices.Clone(st.ids))
	st.ents = slices.Clip(slices.Clone(st.ents))
	st.added, st.moved = nil, nil
	if k := len(st.text.chunks); k > 0 && cap(st.text.chunks[k-1]) == chunkSize {
		st.text.chunks[k-1] = slices.Clone(st.text.chunks[k-1]) // the next text goes in a new chunk
	}
	st.grams.compact(len(st.ents))
}

// match is searchIndex.match.
func (st *indexState) match(f *filter) (ids []string, total int) {
	var ranks []int32
	terms := make([][]byte, len(f.terms))
	for i, t := range f.terms {
		terms[i] = []byte(t)
	}
	// Whether f keeps a place is decided once a search: 1 yes, 2 no.
	verdict := make([]uint8, len(st.places))
	keep := func(n int32) {
		e := &st.ents[n]
		v := verdict[e.place]
		if v == 0 {
			v = 2
			if f.keepsPlace(&st.places[e.place]) {
				v = 1
			}
			verdict[e.place] = v
		}
		if v != 1 || e.has(flagGone) || !f.keeps(e.has(flagArchived), e.has(flagWeChat), e.lastVisited()) {
			return
		}
		s := st.search(e)
		for _, t := range terms {
			if !bytes.Contains(s, t) {
				return
			}
		}
		ranks = append(ranks, st.rank[n])
	}
	if cand, all := st.candidates(f.terms); all {
		for n := range st.ents {
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
			keys[i] = key{st.ents[st.sorted[r]].lastVisited(), r}
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
		ids = append(ids, st.id(st.sorted[r]))
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
		slices.SortFunc(lists, func(a, b *posting) int { return len(a.lo) - len(b.lo) })
		cand = lists[0].appendTo(nil)
		for _, l := range lists[1:] {
			if len(cand) == 0 {
				break
			}
			cand = l.intersect(cand[:0], cand)
		}
		for _, m := range maps {
			out := cand[:0]
			for _, n := range cand {
				if m.has(n) {
					out = append(out, n)
				}
			}
			cand = out
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

// intersect appends to out the numbers of a (sorted) that p, a list,
// holds, block by block; out may be a[:0].
func (p *posting) intersect(out, a []int32) []int32 {
	for i := 0; i < len(a); {
		hi := a[i] >> 16
		j := i + 1
		for j < len(a) && a[j]>>16 == hi {
			j++
		}
		if blk := p.block(int(hi)); len(blk) > 0 {
			out = intersect16(out, a[i:j], blk)
		}
		i = j
	}
	return out
}

// intersect16 appends to out the numbers of a (sorted, all in one block)
// whose low 16 bits are in b (sorted); out may be a[:0]. A much longer b
// is searched, not walked.
func intersect16(out, a []int32, b []uint16) []int32 {
	if len(b) > 16*len(a) {
		for _, n := range a {
			i, ok := slices.BinarySearch(b, uint16(n))
			if ok {
				out = append(out, n)
			}
			b = b[i:]
		}
		return out
	}
	j := 0
	for _, n := range a {
		lo := uint16(n)
		for j < len(b) && b[j] < lo {
			j++
		}
		if j == len(b) {
			break
		}
		if b[j] == lo {
			out = append(out, n)
		}
	}
	return out
}

// noRune stands for "no character": a gram of fewer than three.
const noRune rune = -1

// The grams with fixed numbers, looked up in a table rather than a map
// (most never occur, so they have no list until they do): every ASCII character alone or followed by
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
	lists      []posting        // by gram id
	fixed      []int32          // 1 + the id of each gram with a fixed number (fixedGram), 0 none yet
	ids        map[uint64]int32 // the id of every other gram
	buf1, buf2 []int32          // scratch for a text's grams
}

// posting is the entries that hold one gram: a sorted list of their
// numbers, or, for a gram more than one entry in 16 holds (many grams of
// digits), a bitmap of them, which is smaller and is intersected a word
// at a time. A list keeps the low 16 bits of each number, in blocks of
// the numbers that share their high bits (ends[b] is where block b ends
// in lo): two bytes an entry, where an int32 took four.
type posting struct {
	lo   []uint16
	ends []uint32
	bits []uint64
	n    int32 // how many entries bits holds
}

func (p *posting) len() int {
	if p.bits != nil {
		return int(p.n)
	}
	return len(p.lo)
}

func (p *posting) has(e int32) bool {
	w := int(e / 64)
	return w < len(p.bits) && p.bits[w]&(1<<(e%64)) != 0
}

// bounds is where block hi lies in lo.
func (p *posting) bounds(hi int) (from, to int) {
	if hi >= len(p.ends) {
		return len(p.lo), len(p.lo)
	}
	if hi > 0 {
		from = int(p.ends[hi-1])
	}
	return from, int(p.ends[hi])
}

func (p *posting) block(hi int) []uint16 {
	from, to := p.bounds(hi)
	return p.lo[from:to]
}

// appendTo appends the numbers of list p to out, in order.
func (p *posting) appendTo(out []int32) []int32 {
	out = slices.Grow(out, len(p.lo))
	from := 0
	for hi, to := range p.ends {
		for _, lo := range p.lo[from:to] {
			out = append(out, int32(hi)<<16|int32(lo))
		}
		from = int(to)
	}
	return out
}

// insert adds entry e.
func (p *posting) insert(e int32) {
	if p.bits == nil {
		hi, lo := int(e>>16), uint16(e)
		for len(p.ends) <= hi {
			p.ends = append(p.ends, uint32(len(p.lo)))
		}
		from, to := p.bounds(hi)
		switch {
		case to == len(p.lo) && (from == to || p.lo[to-1] < lo):
			p.lo = append(p.lo, lo)
		case to > from && p.lo[to-1] == lo: // a gram seen twice in a text
			return
		default:
			k, ok := slices.BinarySearch(p.lo[from:to], lo)
			if ok {
				return
			}
			p.lo = slices.Insert(p.lo, from+k, lo)
		}
		for b := hi; b < len(p.ends); b++ {
			p.ends[b]++
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
		hi := int(e >> 16)
		from, to := p.bounds(hi)
		if k, ok := slices.BinarySearch(p.lo[from:to], uint16(e)); ok {
			p.lo = slices.Delete(p.lo, from+k, from+k+1)
			for b := hi; b < len(p.ends); b++ {
				p.ends[b]--
			}
		}
		return
	}
	if p.has(e) {
		p.bits[e/64] &^= 1 << (e % 64)
		p.n--
	}
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// fixedGram is the fixed number of the gram abc (c, or b and c, noRune for a
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
	if f, ok := fixedGram(a, b, c); ok {
		if g.fixed == nil {
			g.fixed = make([]int32, fixedGrams)
		}
		if g.fixed[f] == 0 {
			g.fixed[f] = g.new() + 1
		}
		return g.fixed[f] - 1, true
	}
	if c != noRune {
		return 0, false
	}
	k := uint64(uint32(a))<<32 | uint64(uint32(b))
	if id, ok := g.ids[k]; ok {
		return id, true
	}
	id := g.new()
	g.ids[k] = id
	return id, true
}

// new is the id of a new, empty list.
func (g *grams) new() int32 {
	g.lists = append(g.lists, posting{})
	return int32(len(g.lists) - 1)
}

// lookup is the id of the gram abc, if any entry holds it; a gram of
// three characters the index does not keep is found (as no id), since
// only the shorter grams narrow by it.
func (g *grams) lookup(a, b, c rune) (int32, bool) {
	var id int32
	f, ok := fixedGram(a, b, c)
	switch {
	case ok:
		if g.fixed == nil || g.fixed[f] == 0 {
			return 0, false
		}
		id = g.fixed[f] - 1
	case c != noRune:
		return -1, true
	default:
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

// compact makes bitmaps of the lists more than one entry in 16 of
// entries holds (where a bitmap takes less than two bytes an entry), and
// gives back the room the others grew into.
func (g *grams) compact(entries int) {
	g.lists = slices.Clone(g.lists)
	for i := range g.lists {
		p := &g.lists[i]
		switch {
		case p.bits != nil:
		case len(p.lo) > entries/16 && entries >= 64:
			p.bits = make([]uint64, (entries+63)/64)
			for _, e := range p.appendTo(nil) {
				p.bits[e/64] |= 1 << (e % 64)
			}
			p.n, p.lo, p.ends = int32(len(p.lo)), nil, nil
		case cap(p.lo)-len(p.lo) > len(p.lo)/8:
			p.lo = slices.Clone(p.lo)
		}
	}
}
