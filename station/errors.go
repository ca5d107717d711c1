package station

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"syscall"

	validation "github.com/go-ozzo/ozzo-validation/v4"

	"zoufang/i18n"
)

// Error codes are the stable vocabulary every layer speaks. They appear in JSON
// answers, so a client may branch on them; their messages are for people.
const (
	EInvalid      = "invalid"      // the input broke a rule; Fields says which
	ENotFound     = "not_found"    // no such thing, or not one the caller may see
	EUnauthorized = "unauthorized" // not signed in
	EForbidden    = "forbidden"    // signed in, but not allowed
	EConflict     = "conflict"     // the thing changed or exists already
	EGone         = "gone"         // it existed, but is no longer usable (an expired link)
	ETooMany      = "too_many"     // rate-limited
	ETooLarge     = "too_large"    // request body or item count over the limit
	EUnavailable  = "unavailable"  // temporarily refused (maintenance, offline switch)
	EInternal     = "internal"     // our fault; details are logged, never shown
)

// Error is the one error type handlers return to people. Message is already
// in the user's language (Simplified Chinese); Fields maps a form field or
// JSON key to what is wrong with it.
type Error struct {
	Code    string
	Message string
	Fields  map[string]FieldError
	// Err is the cause, for logs only.
	Err error
}

// FieldError says what is wrong with one field: a stable code for programs
// and a message for people.
type FieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// As lets PocketBase's REST API and admin UI read an *Error's field errors
// as validation errors: a record hook that refuses a save returns an
// *Error, and a superuser writing through /api/ or /_/ sees each field's
// code and Chinese message under the field, as an officer sees them in a
// form.
func (e *Error) As(target any) bool {
	ve, ok := target.(*validation.Errors)
	if !ok || len(e.Fields) == 0 {
		return false
	}
	out := make(validation.Errors, len(e.Fields))
	for name, fe := range e.Fields {
		out[name] = validation.NewError(fe.Code, fe.Message)
	}
	*ve = out
	return true
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure. Its message is generic; the cause
// stays in Err for the log.
//
// A full disk is no bug of ours and says so: it answers "unavailable"
// (503) with a message that nothing was saved and the device should try
// later, and keeps the cause for the log.
func Internal(err error, doing string) *Error {
	if DiskFull(err) {
		return &Error{Code: EUnavailable, Message: i18n.T("error.disk_full"), Err: fmt.Errorf("%s: %w", doing, err)}
	}
	return &Error{Code: EInternal, Message: i18n.T("error.internal"), Err: fmt.Errorf("%s: %w", doing, err)}
}

// DiskFull reports whether err is the storage running out of space:
// SQLite's SQLITE_FULL or the system's ENOSPC.
func DiskFull(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ENOSPC) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "no space left on device") || strings.Contains(msg, "SQLITE_FULL")
}

// ErrorCode returns the code of err, EInternal for errors that are not ours.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// HTTPStatus maps a code to its HTTP status. It is the only place that does.
func HTTPStatus(code string) int {
	switch code {
	case EInvalid:
		return http.StatusUnprocessableEntity
	case ENotFound:
		return http.StatusNotFound
	case EUnauthorized:
		return http.StatusUnauthorized
	case EForbidden:
		return http.StatusForbidden
	case EConflict:
		return http.StatusConflict
	case EGone:
		return http.StatusGone
	case ETooMany:
		return http.StatusTooManyRequests
	case ETooLarge:
		return http.StatusRequestEntityTooLarge
	case EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Problems collects field errors while validating a whole input, so a form
// shows every mistake at once.
type Problems map[string]FieldError

// Add records a problem with field unless one is already recorded for it.
// The message is the catalogue's "field.<code>" entry, formatted with args.
func (p Problems) Add(field, code string, args ...any) {
	if _, ok := p[field]; !ok {
		p[field] = FieldError{Code: code, Message: i18n.T("field."+code, args...)}
	}
}

// Err returns nil when there are no problems, else an EInvalid *Error.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &Error{Code: EInvalid, Message: i18n.T("error.invalid", p[keys[0]].Message), Fields: map[string]FieldError(p)}
}

// FieldsOf returns the field errors carried by err, if any.
func FieldsOf(err error) map[string]FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// SaveError is what a refused save means for the caller: our own *Error as
// it is (a record hook's refusal), PocketBase's field validation as invalid
// input naming each field, anything else internal.
func SaveError(err error, doing string) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	var ve validation.Errors
	if errors.As(err, &ve) {
		p := Problems{}
		for name, fe := range ve {
			code := "invalid_value"
			if c, ok := fe.(validation.Error); ok {
				code = c.Code()
			}
			p[name] = FieldError{Code: code, Message: i18n.T("field.rejected")}
		}
		if len(p) > 0 {
			e := p.Err().(*Error)
			e.Err = err
			return e
		}
	}
	return Internal(err, doing)
}
