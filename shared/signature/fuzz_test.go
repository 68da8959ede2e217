package signature

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

// kioskBodyLimit is the kiosk's default -body-limit (kiosk/main.go).
const kioskBodyLimit = 256 << 10

// fuzzCases are the fixed rules and signing days every fuzzed form is
// checked against: form_test.go's project, a 29 February edge (18 today
// for a leap-day birth), the default-free maximum age on a leap day, and a
// collection that has ended.
var fuzzCases = []struct {
	name  string
	rules Rules
	today calendar.Date
}{
	{"form_test.go rules", rules, today},
	{"18 on 28 Feb of a common year", Rules{MinAge: 18, CollectFrom: calendar.MustParse("2026-01-01"), CollectTo: calendar.MustParse("2026-12-31")}, calendar.MustParse("2026-02-28")},
	{"max age 100 on a leap day", Rules{MinAge: 14, MaxAge: 100, CollectFrom: calendar.MustParse("2024-01-01")}, calendar.MustParse("2024-02-29")},
	{"collection ended", rules, calendar.MustParse("2027-01-01")},
}

// fieldCodes are the form's fields and the codes each may be refused with.
var fieldCodes = map[string][]Code{
	"project":    {NotStarted, Ended},
	"full_name":  {Required, NameCharacters, NameIncomplete, NameTooLong},
	"birth_date": {Required, BadDate, BirthInFuture, BirthTooOld, TooYoung},
	"resident":   {NotResident},
	"consent":    {NoConsent},
	"signature":  {SignatureEmpty, SignatureTooLarge, SignatureMalformed},
}

// decodeAsKiosk decodes a request body the way the kiosk's handleSign does.
func decodeAsKiosk(body []byte, limit int64) (Form, error) {
	req := httptest.NewRequest(http.MethodPost, "/api/projects/p/signatures", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	var f Form
	err := api.Decode(httptest.NewRecorder(), req, limit, &f)
	return f, err
}

// FuzzForm feeds arbitrary request bodies through the kiosk's decoding and
// Form.Validate. A body is either refused as a client error (never a 500)
// or decodes to a form whose validation is deterministic, reports only
// known fields and codes, agrees field by field with an independent
// restatement of the rules, accepts only names whose cleaned form (what
// the kiosk stores and the server checks again) is still valid, and is
// unchanged by encoding the form again.
func FuzzForm(f *testing.F) {
	b, _ := json.Marshal(good)
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"full_name":"Ёлкина Анна-Мария","birth_date":"2008-02-29","resident":true,"consent":true,"signature":{"strokes":[[[0,0],[10000,10000]]]}}`))
	f.Add([]byte(`{"full_name":1,"birth_date":null,"resident":"true","consent":1,"signature":{"strokes":[[[1e400,-1e308]]]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		form, err := decodeAsKiosk(body, kioskBodyLimit)
		if err != nil {
			var e *api.Error
			if !errors.As(err, &e) || e.Status >= 500 ||
				!slices.Contains([]string{api.CodeBadJSON, api.CodeUnknownField, api.CodeTooLarge}, e.Code) {
				t.Fatalf("body refused with %v, not a client error", err)
			}
			// The kiosk answers 400 and stops; a partly decoded form
			// must still validate by the same rules.
			for _, c := range fuzzCases {
				checkValidate(t, form, c.rules, c.today)
			}
			return
		}
		again, err := json.Marshal(form)
		if err != nil {
			t.Fatalf("decoded form does not encode: %v", err)
		}
		form2, err := decodeAsKiosk(again, max(kioskBodyLimit, int64(len(again))))
		if err != nil {
			t.Fatalf("re-encoded form %s refused: %v", again, err)
		}
		if !reflect.DeepEqual(form, form2) {
			t.Fatalf("re-encoding changed the form: %+v → %+v", form, form2)
		}
		for _, c := range fuzzCases {
			birth, p := checkValidate(t, form, c.rules, c.today)
			birth2, p2 := form2.Validate(c.rules, c.today)
			if (p == nil) != (p2 == nil) || !maps.Equal(p, p2) || birth != birth2 {
				t.Fatalf("%s: re-encoded form validates differently: %v %v → %v %v", c.name, birth, p, birth2, p2)
			}
		}
	})
}

// checkValidate validates f twice and checks the result against the
// rules restated independently of Validate.
func checkValidate(t *testing.T, f Form, r Rules, day calendar.Date) (calendar.Date, Problems) {
	t.Helper()
	birth, p := f.Validate(r, day)
	birth2, p2 := f.Validate(r, day)
	if birth != birth2 || (p == nil) != (p2 == nil) || !maps.Equal(p, p2) {
		t.Fatalf("Validate not deterministic: %v %v, then %v %v", birth, p, birth2, p2)
	}
	if p != nil && len(p) == 0 {
		t.Fatalf("refused with no problem")
	}
	for field, code := range p {
		codes, known := fieldCodes[field]
		if !known {
			t.Fatalf("unknown field %q in %v", field, p)
		}
		if !slices.Contains(codes, code) {
			t.Fatalf("field %q refused with %q, not one of its codes %v", field, code, codes)
		}
	}

	nameOK := citizen.ValidateName(f.FullName) == nil
	wantBirth, birthOK := birthInRange(f.BirthDate, r, day)
	drawingOK := drawingAcceptable(f.Signature)
	windowOK := !before(day, r.CollectFrom) && (r.CollectTo.IsZero() || !before(r.CollectTo, day))

	if p == nil {
		switch {
		case !nameOK:
			t.Fatalf("accepted name %q that citizen.ValidateName refuses", f.FullName)
		case citizen.ValidateName(citizen.Clean(f.FullName)) != nil:
			// The kiosk stores the cleaned name; the server checks it again.
			t.Fatalf("accepted name %q is stored as %q, which citizen.ValidateName refuses", f.FullName, citizen.Clean(f.FullName))
		case !birthOK:
			t.Fatalf("accepted birth date %q outside the ages allowed on %v by %+v", f.BirthDate, day, r)
		case birth != wantBirth:
			t.Fatalf("accepted birth date %q returned as %v", f.BirthDate, birth)
		case !f.Consent:
			t.Fatalf("accepted without consent")
		case !f.Resident:
			t.Fatalf("accepted a non-resident")
		case !drawingOK:
			t.Fatalf("accepted drawing %v", f.Signature.Strokes)
		case !windowOK:
			t.Fatalf("accepted on %v outside the collection %v..%v", day, r.CollectFrom, r.CollectTo)
		}
	}
	for field, ok := range map[string]bool{
		"full_name": nameOK, "birth_date": birthOK, "resident": f.Resident,
		"consent": f.Consent, "signature": drawingOK, "project": windowOK,
	} {
		if (p[field] == "") != ok {
			t.Fatalf("%s: Validate says %q, the rules say acceptable=%v (form %+v, today %v)", field, p[field], ok, f, day)
		}
	}
	if birthOK && birth != wantBirth {
		t.Fatalf("birth date %q returned as %v", f.BirthDate, birth)
	}
	return birth, p
}

// birthInRange restates the birth date rule: exactly "YYYY-MM-DD", a day
// that exists, not after today, not before today minus the maximum age in
// years, and at least the minimum age in completed years, where a 29
// February birthday falls on 28 February of a common year (art. 192 of the
// Civil Code).
func birthInRange(text string, r Rules, day calendar.Date) (calendar.Date, bool) {
	if len(text) != 10 || text[4] != '-' || text[7] != '-' {
		return calendar.Date{}, false
	}
	for i, c := range []byte(text) {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return calendar.Date{}, false
		}
	}
	y, _ := strconv.Atoi(text[:4])
	m, _ := strconv.Atoi(text[5:7])
	d, _ := strconv.Atoi(text[8:])
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return calendar.Date{}, false
	}
	b := calendar.Date{Year: y, Month: time.Month(m), Day: d}
	maxAge := r.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	oldest := calendar.Date{Year: day.Year - maxAge, Month: day.Month, Day: min(day.Day, daysIn(day.Year-maxAge, day.Month))}
	return b, !before(day, b) && !before(b, oldest) && completedYears(b, day) >= r.MinAge
}

func completedYears(b, on calendar.Date) int {
	years := on.Year - b.Year
	bd := min(b.Day, daysIn(on.Year, b.Month))
	if on.Month < b.Month || on.Month == b.Month && on.Day < bd {
		years--
	}
	return years
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

func before(a, b calendar.Date) bool {
	return time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC).Before(time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC))
}

// drawingAcceptable restates the drawing rule: 1..MaxStrokes strokes,
// 1..MaxPoints points in all, each an [x, y] pair within
// 0..MaxCoordinate, a bounding box at least MinExtent wide or tall, and at
// least MinInk of line.
func drawingAcceptable(d Drawing) bool {
	if len(d.Strokes) == 0 || len(d.Strokes) > MaxStrokes {
		return false
	}
	var xs, ys []float64
	ink := 0.0
	for _, s := range d.Strokes {
		for i, p := range s {
			if len(p) != 2 || !(p[0] >= 0 && p[0] <= MaxCoordinate && p[1] >= 0 && p[1] <= MaxCoordinate) {
				return false
			}
			xs, ys = append(xs, p[0]), append(ys, p[1])
			if i > 0 {
				ink += math.Hypot(p[0]-s[i-1][0], p[1]-s[i-1][1])
			}
		}
	}
	if len(xs) == 0 || len(xs) > MaxPoints {
		return false
	}
	extent := max(slices.Max(xs)-slices.Min(xs), slices.Max(ys)-slices.Min(ys))
	return extent >= MinExtent && ink >= MinInk
}

// TestFormCorpus checks that the seed corpus keeps what it is for: a form
// that is accepted, each refusal a request body can cause, and each way
// the kiosk refuses a body before validating it.
func TestFormCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzForm", "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no seed corpus: %v", err)
	}
	seen := map[string]bool{}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		header, value, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")
		quoted, ok := strings.CutPrefix(value, "[]byte(")
		if header != "go test fuzz v1" || !ok || !strings.HasSuffix(quoted, ")") {
			t.Fatalf("%s: not a go test fuzz v1 []byte file", path)
		}
		body, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		form, err := decodeAsKiosk([]byte(body), kioskBodyLimit)
		if e := (*api.Error)(nil); errors.As(err, &e) {
			seen["decode:"+e.Code] = true
			continue
		}
		_, p := form.Validate(rules, today)
		if p == nil {
			seen["accepted"] = true
		}
		for _, code := range p {
			seen[string(code)] = true
		}
	}
	want := []string{"accepted", "decode:" + api.CodeBadJSON, "decode:" + api.CodeUnknownField}
	for field, codes := range fieldCodes {
		if field == "project" {
			continue // the catalogue and the clock decide these, not the body
		}
		for _, c := range codes {
			want = append(want, string(c))
		}
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("no seed in testdata/fuzz/FuzzForm gives %s", w)
		}
	}
}
