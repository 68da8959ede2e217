package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type echo struct{}

func (echo) T(key string) string { return "msg:" + key }

func TestDecode(t *testing.T) {
	type req struct {
		Name string `json:"name"`
	}
	tests := []struct {
		name, ctype, body string
		code              string
	}{
		{"ok", "application/json", `{"name":"a"}`, ""},
		{"ok with charset", "application/json; charset=utf-8", `{"name":"a"}`, ""},
		{"form post", "application/x-www-form-urlencoded", `name=a`, CodeUnsupportedMediaType},
		{"no type", "", `{"name":"a"}`, CodeUnsupportedMediaType},
		{"unknown field", "application/json", `{"name":"a","admin":true}`, CodeUnknownField},
		{"broken", "application/json", `{"name":`, CodeBadJSON},
		{"wrong type", "application/json", `{"name":5}`, CodeBadJSON},
		{"two objects", "application/json", `{"name":"a"}{"name":"b"}`, CodeBadJSON},
		{"array", "application/json", `[1]`, CodeBadJSON},
		{"too large", "application/json", `{"name":"` + strings.Repeat("a", 200) + `"}`, CodeTooLarge},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
		if tt.ctype != "" {
			r.Header.Set("Content-Type", tt.ctype)
		}
		var v req
		err := Decode(httptest.NewRecorder(), r, 100, &v)
		var e *Error
		switch {
		case tt.code == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.code != "" && (!errors.As(err, &e) || e.Code != tt.code):
			t.Errorf("%s: err = %v, want code %s", tt.name, err, tt.code)
		}
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, httptest.NewRequest("GET", "/", nil), echo{}, Invalid(map[string]string{"birth_date": "too_young"}))
	if w.Code != 422 {
		t.Fatalf("status %d", w.Code)
	}
	var b body
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	if b.Error != "invalid" || b.Message != "msg:error.invalid" || b.Fields["birth_date"] != "msg:problem.too_young" || b.Codes["birth_date"] != "too_young" {
		t.Fatalf("%+v", b)
	}
	w = httptest.NewRecorder()
	WriteError(w, httptest.NewRequest("GET", "/", nil), echo{}, errors.New("disk on fire"))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "fire") {
		t.Fatalf("internal error leaked: %d %s", w.Code, w.Body)
	}
}
