package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
)

// Error codes shared by both programs' APIs (docs/api.md).
const (
	CodeInvalid              = "invalid"
	CodeNotFound             = "not_found"
	CodeTooLarge             = "too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeBadJSON              = "bad_json"
	CodeUnknownField         = "unknown_field"
	CodeInternal             = "internal"
)

// Translator gives the message for a key in the request's language.
type Translator interface{ T(key string) string }

// Error is an API error: an HTTP status, a stable code, and for "invalid"
// the problem code of each refused field.
type Error struct {
	Status int
	Code   string
	Fields map[string]string // field → problem code
	Err    error             // cause, logged, never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a cause for the log.
func Errorf(status int, code string, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Err: fmt.Errorf(format, args...)}
}

// Invalid returns a 422 for the given field problems.
func Invalid(fields map[string]string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalid, Fields: fields}
}

type body struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Codes   map[string]string `json:"codes,omitempty"`
}

// WriteError writes err as JSON. Errors that are not *Error become 500
// "internal", logged with their cause, never shown to the client.
func WriteError(w http.ResponseWriter, r *http.Request, t Translator, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Err: err}
	}
	if e.Status >= 500 {
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else if e.Err != nil {
		slog.Info("request refused", "method", r.Method, "path", r.URL.Path, "code", e.Code, "reason", e.Err)
	}
	b := body{Error: e.Code, Message: t.T("error." + e.Code)}
	if len(e.Fields) > 0 {
		b.Fields, b.Codes = map[string]string{}, map[string]string{}
		for field, code := range e.Fields {
			b.Fields[field] = t.T("problem." + code)
			b.Codes[field] = code
		}
	}
	WriteJSON(w, e.Status, b)
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write response", "err", err)
	}
}

// Decode reads one JSON object of at most limit bytes into v, refusing a
// wrong content type, unknown fields and trailing data.
func Decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMediaType}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			return decodeError(err)
		}
		return Errorf(http.StatusBadRequest, CodeBadJSON, "data after the JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return Errorf(http.StatusRequestEntityTooLarge, CodeTooLarge, "body over %d bytes", tooLarge.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return Errorf(http.StatusBadRequest, CodeUnknownField, "%v", err)
	}
	return Errorf(http.StatusBadRequest, CodeBadJSON, "%v", err)
}
