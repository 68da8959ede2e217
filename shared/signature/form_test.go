package signature

import (
	"math"
	"testing"

	"github.com/sbor-project/sbor/shared/calendar"
)

var (
	today = calendar.MustParse("2026-05-20")
	rules = Rules{MinAge: 16, CollectFrom: calendar.MustParse("2026-01-01"), CollectTo: calendar.MustParse("2026-12-31")}
	good  = Form{
		FullName:  "Иванов Иван Иванович",
		BirthDate: "1980-04-12",
		Resident:  true,
		Consent:   true,
		Signature: Drawing{Strokes: [][][]float64{{{10, 10}, {40, 30}, {80, 12}}}},
	}
)

func TestValidateAcceptsGoodForm(t *testing.T) {
	birth, p := good.Validate(rules, today)
	if p != nil {
		t.Fatalf("problems: %v", p)
	}
	if birth != calendar.MustParse("1980-04-12") {
		t.Fatalf("birth = %v", birth)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Form)
		rules func(*Rules)
		today string
		field string
		want  Code
	}{
		{"16th birthday on the signing day", func(f *Form) { f.BirthDate = "2010-05-20" }, nil, "", "birth_date", ""},
		{"one day before the 16th birthday", func(f *Form) { f.BirthDate = "2010-05-21" }, nil, "", "birth_date", TooYoung},
		{"29 Feb birthday, 28 Feb of a common year", func(f *Form) { f.BirthDate = "2008-02-29" }, nil, "2024-02-28", "birth_date", TooYoung},
		{"29 Feb birthday, 29 Feb of a leap year", func(f *Form) { f.BirthDate = "2008-02-29" }, nil, "2024-02-29", "birth_date", ""},
		{"29 Feb birthday turning 18 in a common year", func(f *Form) { f.BirthDate = "2008-02-29" }, func(r *Rules) { r.MinAge = 18 }, "2026-02-28", "birth_date", ""},
		{"29 Feb birthday day before in a common year", func(f *Form) { f.BirthDate = "2008-02-29" }, func(r *Rules) { r.MinAge = 18 }, "2026-02-27", "birth_date", TooYoung},
		{"min age is a setting", func(f *Form) { f.BirthDate = "2010-05-21" }, func(r *Rules) { r.MinAge = 14 }, "", "birth_date", ""},
		{"birth date tomorrow", func(f *Form) { f.BirthDate = "2026-05-21" }, nil, "", "birth_date", BirthInFuture},
		{"exactly 120 years back", func(f *Form) { f.BirthDate = "1906-05-20" }, nil, "", "birth_date", ""},
		{"120 years and a day back", func(f *Form) { f.BirthDate = "1906-05-19" }, nil, "", "birth_date", BirthTooOld},
		{"birth date not a date", func(f *Form) { f.BirthDate = "2001-02-30" }, nil, "", "birth_date", BadDate},
		{"birth date in another format", func(f *Form) { f.BirthDate = "12.04.1980" }, nil, "", "birth_date", BadDate},
		{"birth date missing", func(f *Form) { f.BirthDate = "" }, nil, "", "birth_date", Required},
		{"name missing", func(f *Form) { f.FullName = " " }, nil, "", "full_name", Required},
		{"name with HTML", func(f *Form) { f.FullName = "<b>Иван</b> Иванов" }, nil, "", "full_name", NameCharacters},
		{"surname only", func(f *Form) { f.FullName = "Иванов" }, nil, "", "full_name", NameIncomplete},
		{"not a resident", func(f *Form) { f.Resident = false }, nil, "", "resident", NotResident},
		{"no consent", func(f *Form) { f.Consent = false }, nil, "", "consent", NoConsent},
		{"no signature", func(f *Form) { f.Signature.Strokes = nil }, nil, "", "signature", SignatureEmpty},
		{"one dot", func(f *Form) { f.Signature.Strokes = [][][]float64{{{50, 50}}} }, nil, "", "signature", SignatureEmpty},
		{"a tap with jitter", func(f *Form) { f.Signature.Strokes = [][][]float64{{{50, 50}, {52, 51}, {51, 53}}} }, nil, "", "signature", SignatureEmpty},
		{"empty strokes", func(f *Form) { f.Signature.Strokes = [][][]float64{{}, {}} }, nil, "", "signature", SignatureEmpty},
		{"point with three numbers", func(f *Form) { f.Signature.Strokes = [][][]float64{{{1, 2, 3}, {50, 50}}} }, nil, "", "signature", SignatureMalformed},
		{"negative coordinate", func(f *Form) { f.Signature.Strokes = [][][]float64{{{-1, 2}, {50, 50}}} }, nil, "", "signature", SignatureMalformed},
		{"NaN coordinate", func(f *Form) { f.Signature.Strokes = [][][]float64{{{math.NaN(), 2}, {50, 50}}} }, nil, "", "signature", SignatureMalformed},
		{"too many points", func(f *Form) { f.Signature.Strokes = [][][]float64{line(MaxPoints + 1)} }, nil, "", "signature", SignatureTooLarge},
		{"too many strokes", func(f *Form) { f.Signature.Strokes = make([][][]float64, MaxStrokes+1) }, nil, "", "signature", SignatureTooLarge},
		{"first day of the window", nil, nil, "2026-01-01", "project", ""},
		{"last day of the window", nil, nil, "2026-12-31", "project", ""},
		{"before the window", nil, nil, "2025-12-31", "project", NotStarted},
		{"after the window", nil, nil, "2027-01-01", "project", Ended},
	}
	for _, tt := range tests {
		f, r, day := good, rules, today
		if tt.edit != nil {
			tt.edit(&f)
		}
		if tt.rules != nil {
			tt.rules(&r)
		}
		if tt.today != "" {
			day = calendar.MustParse(tt.today)
			r.CollectFrom, r.CollectTo = calendar.MustParse("2020-01-01"), calendar.MustParse("2030-01-01")
			if tt.field == "project" {
				r = rules
			}
		}
		_, p := f.Validate(r, day)
		if got := p[tt.field]; got != tt.want {
			t.Errorf("%s: %s = %q, want %q (all: %v)", tt.name, tt.field, got, tt.want, p)
		}
		if tt.want == "" && len(p) != 0 {
			t.Errorf("%s: unexpected problems %v", tt.name, p)
		}
	}
}

func TestValidateReportsEveryField(t *testing.T) {
	_, p := Form{}.Validate(rules, today)
	for _, field := range []string{"full_name", "birth_date", "resident", "consent", "signature"} {
		if p[field] == "" {
			t.Errorf("no problem reported for %s: %v", field, p)
		}
	}
}

func line(n int) [][]float64 {
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = []float64{float64(i % 1000), 10}
	}
	return pts
}
