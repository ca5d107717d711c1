// Package live is the live channel (DESIGN §6): a websocket per open field
// app or board, through which the server pushes targets, "pull these now"
// and the deputy chief's board. Writes never travel here; they go over
// HTTP. The hub never waits for a client: each connection has a small
// queue, written by a goroutine that lives only while the queue has
// something in it, and a client that falls behind is dropped.
package live

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"zoufang/i18n"
	"zoufang/station"
)

// Connection limits.
const (
	writeWait   = 10 * time.Second
	pongWait    = 70 * time.Second
	pingEvery   = 30 * time.Second
	readLimit   = 4096
	queueLength = 16
	// A flush waits until changes have been quiet for quietFor, so a burst
	// (the hooks of a push of 1,000 visits, all fired after its commit)
	// is one update, but never longer than flushEvery after the first
	// change; and flushes are at least flushEvery apart, so changes that
	// keep coming go out twenty times a second, each within about
	// flushEvery. A lone change goes out after quietFor.
	quietFor   = 10 * time.Millisecond
	flushEvery = 50 * time.Millisecond
	// boardRest spaces the boards: after computing one the boarder rests
	// boardRest times as long before the next. A board reads every
	// officer and their figures (tens of milliseconds with 2,000
	// officers); with visits arriving every few milliseconds it was
	// computed back to back, a core's worth of work taken from the
	// writers, for a screen a person watches. Now boards take at most a
	// tenth of the time, and a cheap board is still sent at once; but no
	// rest is longer than boardRestMax, so a slow board keeps the chief's
	// screen at most that much staler. A greeting's board is not held back.
	boardRest    = 9
	boardRestMax = time.Second
	// MaxPerSession bounds one session's sockets (a few tabs, a reload
	// whose old socket has not closed yet); the oldest goes first.
	MaxPerSession = 3
	// MaxPerOfficer bounds one officer's sockets across sessions.
	MaxPerOfficer = 8
	// MaxPending is the most unsynced items a device may report: the
	// outbox's own ceiling is far below it, and a client's figure is never
	// taken as it comes.
	MaxPending = 10000
)

// Sources computes what the hub sends; the app provides them.
type Sources struct {
	// Targets is an officer's progress today (a "targets" message).
	Targets func(officerID string) (any, error)
	// Board is the deputy chief's board, given who is online and each
	// officer's reported outbox size and device count.
	Board func(presence map[string]Presence) (any, error)
	// Alerts are the alerts still open, each as its message: a deputy
	// chief who connects (or reconnects) hears of those raised meanwhile.
	Alerts func() ([]any, error)
	// Seen hears what a device says of itself (hello, status), clamped.
	Seen func(officerID, device, appVersion string, pending int)
}

// Presence is what the hub knows of an officer's open devices.
type Presence struct {
	Devices int // open connections
	Pending int // unsynced items reported by the devices, summed
}

// Hub keeps the open connections and fans messages out to them.
type Hub struct {
	src Sources
	log *slog.Logger

	mu      sync.Mutex
	clients map[*client]struct{}
	closed  bool

	dirtyMu      sync.Mutex
	dirtyTargets map[string]bool            // officer ids
	dirtyColls   map[string]map[string]bool // community → collections changed
	dirtyOwn     map[string]map[string]bool // officer → collections of theirs changed
	dirtyBoard   bool
	kick         chan struct{}
	// boardKick wakes the boarder, which computes the board off the
	// flush path: a slow board delays only the next board, never a
	// targets or "changed" message. Pokes while it computes coalesce.
	boardKick chan struct{}
	done      chan struct{}
	wg        sync.WaitGroup
}

type client struct {
	hub     *Hub
	conn    wsConn
	officer *station.Officer
	opened  time.Time
	once    sync.Once

	mu      sync.Mutex
	device  string
	pending int
	// queue is what waits to be written; writing says a sender goroutine
	// is draining it. An idle connection has no goroutine of its own but
	// its reader: 2,000 parked writers were 2,000 stacks.
	queue    []outgoing
	inflight int // taken by the drain and not yet written
	writing  bool
	closed   bool
}

// outgoing is a message to write, or a ping.
type outgoing struct {
	msg  []byte
	ping bool
}

// wsConn is the side of a websocket the hub writes to.
type wsConn interface {
	SetWriteDeadline(t time.Time) error
	WriteMessage(messageType int, data []byte) error
	Close() error
}

// NewHub starts a hub; Close stops it.
func NewHub(src Sources, log *slog.Logger) *Hub {
	h := &Hub{
		src: src, log: log,
		clients:      map[*client]struct{}{},
		dirtyTargets: map[string]bool{},
		dirtyColls:   map[string]map[string]bool{},
		dirtyOwn:     map[string]map[string]bool{},
		kick:         make(chan struct{}, 1),
		boardKick:    make(chan struct{}, 1),
		done:         make(chan struct{}),
	}
	h.wg.Add(3)
	go h.flusher()
	go h.boarder()
	go h.pinger()
	return h
}

// pinger pings every connection every pingEvery, through its queue: a
// peer that is gone stops answering, and its reader's deadline ends it.
func (h *Hub) pinger() {
	defer h.wg.Done()
	t := time.NewTicker(pingEvery)
	defer t.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-t.C:
			for _, c := range h.clientsWhere(nil) {
				c.push(outgoing{ping: true})
			}
		}
	}
}

// Close drops every connection and stops the hub.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	cs := h.clientsLocked(nil)
	h.mu.Unlock()
	close(h.done)
	for _, c := range cs {
		c.close()
	}
	h.wg.Wait()
}

// DropAll closes every connection (the server-side network cut of tests).
func (h *Hub) DropAll() {
	for _, c := range h.clientsWhere(nil) {
		c.close()
	}
}

// DropOfficer closes an officer's connections (signed out everywhere,
// deactivated).
func (h *Hub) DropOfficer(id string) {
	for _, c := range h.clientsWhere(func(c *client) bool { return c.officer.ID == id }) {
		c.close()
	}
}

// clientsWhere lists the open clients that keep selects (all when nil),
// so the caller can act on them without holding the hub's lock.
func (h *Hub) clientsWhere(keep func(*client) bool) []*client {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.clientsLocked(keep)
}

func (h *Hub) clientsLocked(keep func(*client) bool) []*client {
	cs := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		if keep == nil || keep(c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// Count is how many connections are open.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// VisitsChanged notes that an officer's visits changed: their targets and
// their other devices' replicas, and the board.
func (h *Hub) VisitsChanged(officerID string) {
	h.dirtyMu.Lock()
	h.dirtyTargets[officerID] = true
	if h.dirtyOwn[officerID] == nil {
		h.dirtyOwn[officerID] = map[string]bool{}
	}
	h.dirtyOwn[officerID]["visits"] = true
	h.dirtyBoard = true
	h.dirtyMu.Unlock()
	h.poke()
}

// OwnChanged notes that records of collection that officerID's devices
// hold as theirs (the disputes they lead) changed.
func (h *Hub) OwnChanged(officerID, collection string) {
	h.dirtyMu.Lock()
	if h.dirtyOwn[officerID] == nil {
		h.dirtyOwn[officerID] = map[string]bool{}
	}
	h.dirtyOwn[officerID][collection] = true
	h.dirtyMu.Unlock()
	h.poke()
}

// CollectionChanged notes that a community's records of collection changed:
// every device that sees the community should pull it.
func (h *Hub) CollectionChanged(community, collection string) {
	h.dirtyMu.Lock()
	if h.dirtyColls[community] == nil {
		h.dirtyColls[community] = map[string]bool{}
	}
	h.dirtyColls[community][collection] = true
	h.dirtyMu.Unlock()
	h.poke()
}

// Alert tells every deputy chief at once (not at the next flush): an
// abnormal holiday check is news that should not wait.
func (h *Hub) Alert(msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		h.log.Error("live: alert", "err", err)
		return
	}
	for _, c := range h.clientsWhere(func(c *client) bool { return c.officer.IsChief() }) {
		c.enqueue(b)
	}
}

// BoardChanged notes that the board should be recomputed.
func (h *Hub) BoardChanged() {
	h.dirtyMu.Lock()
	h.dirtyBoard = true
	h.dirtyMu.Unlock()
	h.poke()
}

func (h *Hub) poke() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// flusher sends what changed once changes pause for quietFor, or
// flushEvery after the first of them, whichever comes first; after a
// flush it rests flushEvery, and what changed meanwhile, having waited,
// goes out at the end of the rest.
func (h *Hub) flusher() {
	defer h.wg.Done()
	quiet, limit := time.NewTimer(quietFor), time.NewTimer(flushEvery)
	defer quiet.Stop()
	defer limit.Stop()
	waited := false
	for {
		if !waited {
			quiet.Stop()
			limit.Stop()
			select {
			case <-h.done:
				return
			case <-h.kick:
			}
			quiet.Reset(quietFor)
			limit.Reset(flushEvery)
		wait:
			for {
				select {
				case <-h.done:
					return
				case <-h.kick:
					quiet.Reset(quietFor)
				case <-quiet.C:
					break wait
				case <-limit.C:
					break wait
				}
			}
		}
		h.flush()
		limit.Reset(flushEvery) // the rest
		select {
		case <-h.done:
			return
		case <-limit.C:
		}
		select {
		case <-h.kick:
			waited = true
		default:
			waited = false
		}
	}
}

func (h *Hub) flush() {
	h.dirtyMu.Lock()
	targets, colls, own, board := h.dirtyTargets, h.dirtyColls, h.dirtyOwn, h.dirtyBoard
	h.dirtyTargets, h.dirtyColls, h.dirtyOwn, h.dirtyBoard = map[string]bool{}, map[string]map[string]bool{}, map[string]map[string]bool{}, false
	h.dirtyMu.Unlock()

	cs := h.clientsWhere(nil)

	// "changed": per client, the collections it should pull. Most clients
	// of a flush hear the same list, so each list is encoded once.
	if len(colls) > 0 || len(own) > 0 {
		encoded := map[string][]byte{}
		var names []string
		for _, c := range cs {
			names = names[:0]
			for comm, set := range colls {
				if c.officer.CoversCommunity(comm) {
					for n := range set {
						if !slices.Contains(names, n) {
							names = append(names, n)
						}
					}
				}
			}
			for n := range own[c.officer.ID] {
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
			if len(names) == 0 {
				continue
			}
			slices.Sort(names)
			key := strings.Join(names, ",")
			msg, ok := encoded[key]
			if !ok {
				var err error
				if msg, err = json.Marshal(map[string]any{"type": "changed", "collections": names}); err != nil {
					continue
				}
				encoded[key] = msg
			}
			c.enqueue(msg)
		}
	}
	if len(targets) > 0 {
		byOfficer := map[string][]*client{}
		for _, c := range cs {
			if targets[c.officer.ID] {
				byOfficer[c.officer.ID] = append(byOfficer[c.officer.ID], c)
			}
		}
		for id, theirs := range byOfficer {
			h.sendTargets(id, theirs)
		}
	}
	if board {
		select {
		case h.boardKick <- struct{}{}:
		default: // one is due already
		}
	}
}

// boarder sends the board to the deputy chiefs whenever it changed, one
// computation at a time, resting boardRest times as long as the last one
// took: changes that arrive while it computes or rests make one more
// board, not one each.
func (h *Hub) boarder() {
	defer h.wg.Done()
	var next time.Time // the end of the rest
	for {
		select {
		case <-h.done:
			return
		case <-h.boardKick:
		}
		if wait := time.Until(next); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-h.done:
				t.Stop()
				return
			case <-t.C:
			}
			// The board computed now includes what changed meanwhile.
			select {
			case <-h.boardKick:
			default:
			}
		}
		began := time.Now()
		h.sendBoard(h.clientsWhere(func(c *client) bool { return c.officer.IsChief() }))
		now := time.Now()
		next = now.Add(min(boardRest*now.Sub(began), boardRestMax))
	}
}

func (h *Hub) sendTargets(officerID string, cs []*client) {
	var msg []byte
	for _, c := range cs {
		if c.officer.ID != officerID {
			continue
		}
		if msg == nil {
			t, err := h.src.Targets(officerID)
			if err != nil {
				h.log.Error("live: targets", "officer", officerID, "err", err)
				return
			}
			if msg, err = json.Marshal(t); err != nil {
				return
			}
		}
		c.enqueue(msg)
	}
}

// Presence is who has the app open now.
func (h *Hub) Presence() map[string]Presence {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := map[string]Presence{}
	for c := range h.clients {
		c.mu.Lock()
		pr := p[c.officer.ID]
		pr.Devices++
		pr.Pending += c.pending
		p[c.officer.ID] = pr
		c.mu.Unlock()
	}
	return p
}

func (h *Hub) sendBoard(cs []*client) {
	var msg []byte
	for _, c := range cs {
		if !c.officer.IsChief() {
			continue
		}
		if msg == nil {
			b, err := h.src.Board(h.Presence())
			if err != nil {
				h.log.Error("live: board", "err", err)
				return
			}
			if msg, err = json.Marshal(b); err != nil {
				return
			}
		}
		c.enqueue(msg)
	}
}

// upgrader keeps an idle connection small (docs/benchmarks.md, "Live
// channel"): a read buffer for what a device says (hello and status, a few
// hundred bytes), and write buffers lent from a pool only while a message
// is being written, not held by each of thousands of idle sockets.
var upgrader = websocket.Upgrader{
	ReadBufferSize:  512,
	WriteBufferSize: 4096,
	WriteBufferPool: &sync.Pool{},
	// CheckOrigin is done by SameOrigin before the upgrade.
	CheckOrigin: func(*http.Request) bool { return true },
}

// SameOrigin reports whether a websocket request comes from this site's own
// pages (browsers always send Origin on a websocket handshake).
func SameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// Handle serves /ws for the signed-in officer.
func (h *Hub) Handle(c echo.Context) error {
	o := station.OfficerFrom(c.Request().Context())
	if o == nil {
		return &station.Error{Code: station.EUnauthorized, Message: i18n.T("error.unauthorized")}
	}
	if !SameOrigin(c.Request()) {
		return station.Errorf(station.EForbidden, "%s", i18n.T("error.cross_site"))
	}
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		return station.Errorf(station.EUnavailable, "%s", i18n.T("error.unavailable"))
	}
	conn, err := upgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	cl := &client{hub: h, conn: conn, officer: o, opened: time.Now()}
	// Registered under the same lock that Close sets closed with, so a
	// connection upgraded while the hub closes is either closed by Close or
	// never registered, and wg.Add never races Close's wg.Wait.
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
		_ = conn.Close()
		return nil
	}
	h.clients[cl] = struct{}{}
	h.wg.Add(1) // the reader
	over := h.overLimitLocked(o)
	h.mu.Unlock()
	for _, old := range over {
		old.close() // one session may not hold the hub's memory hostage
	}

	// Greet with the current state.
	if o.IsChief() {
		h.sendBoard([]*client{cl})
		if h.src.Alerts != nil {
			alerts, err := h.src.Alerts()
			if err != nil {
				h.log.Error("live: open alerts", "err", err)
			}
			for _, a := range alerts {
				cl.sendJSON(a)
			}
		}
	} else {
		h.sendTargets(o.ID, []*client{cl})
		h.BoardChanged() // someone came online
	}
	// The reader gets a goroutine of its own and the handler returns: the
	// request's goroutine sits under every middleware with a stack to
	// match, and net/http keeps the connection's 4 KiB read and write
	// buffers until the handler returns, though the hijacked socket no
	// longer uses them. The server's shutdown ends the connection through
	// Close (the app's OnTerminate), not through the request's context,
	// which ends when the handler returns.
	go cl.reader(conn)
	return nil
}

// overLimitLocked lists the oldest connections beyond the caps of o's
// session and of o.
func (h *Hub) overLimitLocked(o *station.Officer) []*client {
	var session, officer []*client
	for c := range h.clients {
		if c.officer.ID != o.ID {
			continue
		}
		officer = append(officer, c)
		if c.officer.Session == o.Session {
			session = append(session, c)
		}
	}
	oldestFirst := func(cs []*client) {
		slices.SortFunc(cs, func(a, b *client) int { return a.opened.Compare(b.opened) })
	}
	var out []*client
	if len(session) > MaxPerSession {
		oldestFirst(session)
		out = append(out, session[:len(session)-MaxPerSession]...)
	}
	if len(officer) > MaxPerOfficer {
		oldestFirst(officer)
		for _, c := range officer[:len(officer)-MaxPerOfficer] {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// clientMessage is what a device says: hello on connect, status when its
// outbox changes.
type clientMessage struct {
	Type       string `json:"type"`
	Device     string `json:"device"`
	AppVersion string `json:"app_version"`
	Pending    int    `json:"pending"`
}

// reader reads what the device says, on conn (the client's own). It is
// the connection's one lasting goroutine, and needed: gorilla answers
// pings and notices pongs, close frames and a dead peer only while a read
// is in progress. Writes have no lasting goroutine: drain runs only while
// there is something to write.
func (c *client) reader(conn *websocket.Conn) {
	defer c.hub.wg.Done()
	defer c.close()
	conn.SetReadLimit(readLimit)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var m clientMessage
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		switch m.Type {
		case "hello", "status":
			c.mu.Lock()
			pending := min(max(m.Pending, 0), MaxPending)
			device := m.Device
			if len(device) > 40 {
				device = device[:40]
			}
			changed := c.pending != pending || c.device != device
			c.device, c.pending = device, pending
			c.mu.Unlock()
			if changed {
				c.hub.BoardChanged()
			}
			if c.hub.src.Seen != nil {
				version := m.AppVersion
				if len(version) > 40 {
					version = version[:40]
				}
				c.hub.src.Seen(c.officer.ID, device, version, pending)
			}
		}
	}
}

// enqueue queues msg without waiting; a client whose queue is full is too
// slow and is dropped, so it never holds anyone else up.
func (c *client) enqueue(msg []byte) { c.push(outgoing{msg: msg}) }

func (c *client) push(m outgoing) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if len(c.queue)+c.inflight >= queueLength {
		c.mu.Unlock()
		c.hub.log.Warn("live: dropping a slow client", "officer", c.officer.ID)
		c.close()
		return
	}
	c.queue = append(c.queue, m)
	start := !c.writing
	if start {
		// Counted under the client's lock, before close can run: the
		// connection's reader is still counted then, so this Add never
		// races the hub's Close waiting for a count of zero.
		c.hub.wg.Add(1)
		c.writing = true
	}
	c.mu.Unlock()
	if start {
		go c.drain()
	}
}

// drain writes the queue until it is empty, then ends: the next message
// starts a new one. One drain at a time per connection (writing), so
// writes never interleave.
func (c *client) drain() {
	defer c.hub.wg.Done()
	for {
		c.mu.Lock()
		batch := c.queue
		c.queue, c.inflight = nil, len(batch)
		if len(batch) == 0 || c.closed {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		for i, m := range batch {
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			var err error
			if m.ping {
				err = c.conn.WriteMessage(websocket.PingMessage, nil)
			} else {
				err = c.conn.WriteMessage(websocket.TextMessage, m.msg)
			}
			if err != nil {
				c.close()
				c.mu.Lock()
				c.writing = false
				c.mu.Unlock()
				return
			}
			c.mu.Lock()
			c.inflight = len(batch) - i - 1
			c.mu.Unlock()
		}
	}
}

func (c *client) sendJSON(v any) {
	b, err := json.Marshal(v)
	if err == nil {
		c.enqueue(b)
	}
}

// close unregisters the client and ends its connection, once.
func (c *client) close() {
	c.once.Do(func() {
		c.hub.mu.Lock()
		delete(c.hub.clients, c)
		c.hub.mu.Unlock()
		c.mu.Lock()
		c.closed, c.queue = true, nil
		c.mu.Unlock()
		_ = c.conn.Close()
		if !c.officer.IsChief() {
			c.hub.BoardChanged() // someone went offline
		}
	})
}
