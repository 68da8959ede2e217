package signature

import (
	"errors"
	"math"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

// Defaults of the rules a project may override in its catalogue entry.
const (
	DefaultMinAge = 16  // lines 236 and 276 of the Ipatovo decisions
	DefaultMaxAge = 120 // older birth dates are typing errors
)

// Limits of a drawn signature. Coordinates are CSS pixels of the drawing
// pad; the limits keep one request small and refuse a tap for a signature.
const (
	MaxStrokes    = 100
	MaxPoints     = 5000
	MaxCoordinate = 10000
	MinExtent     = 12 // the signature's bounding box must be this wide or tall
	MinInk        = 30 // total stroke length
)

// Code names why a field was refused; user interfaces map it to a message.
type Code string

// The codes a Form can be refused with.
const (
	Required           Code = "required"
	NameCharacters     Code = "name_characters"
	NameIncomplete     Code = "name_incomplete"
	NameTooLong        Code = "name_too_long"
	BadDate            Code = "bad_date"
	BirthInFuture      Code = "birth_in_future"
	BirthTooOld        Code = "birth_too_old"
	TooYoung           Code = "too_young"
	NotResident        Code = "not_resident"
	NoConsent          Code = "no_consent"
	SignatureEmpty     Code = "signature_empty"
	SignatureTooLarge  Code = "signature_too_large"
	SignatureMalformed Code = "signature_malformed"
	NotStarted         Code = "collection_not_started"
	Ended              Code = "collection_ended"
)

// Problems maps a form field ("full_name", "birth_date", "resident",
// "consent", "signature", "project") to why it was refused.
type Problems map[string]Code

// Rules are a project's settings that decide who may sign and when.
type Rules struct {
	MinAge      int
	MaxAge      int
	CollectFrom calendar.Date
	CollectTo   calendar.Date
}

// Form is what a resident submits at a kiosk.
type Form struct {
	FullName  string  `json:"full_name"`
	BirthDate string  `json:"birth_date"`
	Resident  bool    `json:"resident"`
	Consent   bool    `json:"consent"`
	Signature Drawing `json:"signature"`
}

// Drawing is a handwritten signature as vector strokes: each stroke a list
// of [x, y] points in drawing-pad pixels.
type Drawing struct {
	Strokes [][][]float64 `json:"strokes"`
}

// Validate checks f against r on the signing date today (in the
// municipality's zone). It returns the parsed birth date and every problem
// found, so a form can show all its messages at once.
func (f Form) Validate(r Rules, today calendar.Date) (calendar.Date, Problems) {
	p := Problems{}
	if today.Before(r.CollectFrom) {
		p["project"] = NotStarted
	} else if !r.CollectTo.IsZero() && today.After(r.CollectTo) {
		p["project"] = Ended
	}
	if code := CheckName(f.FullName); code != "" {
		p["full_name"] = code
	}
	birth, code := CheckBirth(f.BirthDate, r, today)
	if code != "" {
		p["birth_date"] = code
	}
	if !f.Resident {
		p["resident"] = NotResident
	}
	if !f.Consent {
		p["consent"] = NoConsent
	}
	if code := f.Signature.Check(); code != "" {
		p["signature"] = code
	}
	if len(p) == 0 {
		return birth, nil
	}
	return birth, p
}

// CheckName returns why a full name cannot stand on a sheet, or "": the
// same check for signatures, meeting registrations and survey answers.
func CheckName(name string) Code {
	switch err := citizen.ValidateName(name); {
	case errors.Is(err, citizen.ErrNameEmpty):
		return Required
	case errors.Is(err, citizen.ErrNameCharacters):
		return NameCharacters
	case errors.Is(err, citizen.ErrNameIncomplete):
		return NameIncomplete
	case errors.Is(err, citizen.ErrNameTooLong):
		return NameTooLong
	}
	return ""
}

// CheckBirth parses a birth date and checks it against the age limits on
// the date today. The minimum age is reached on the birthday itself.
func CheckBirth(text string, r Rules, today calendar.Date) (calendar.Date, Code) {
	if text == "" {
		return calendar.Date{}, Required
	}
	birth, err := calendar.Parse(text)
	if err != nil {
		return calendar.Date{}, BadDate
	}
	maxAge := r.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	switch {
	case birth.After(today):
		return birth, BirthInFuture
	case birth.Before(today.AddYears(-maxAge)):
		return birth, BirthTooOld
	case birth.YearsOn(today) < r.MinAge:
		return birth, TooYoung
	}
	return birth, ""
}

// Check returns why a drawing cannot stand as a signature, or "".
func (d Drawing) Check() Code {
	if len(d.Strokes) == 0 {
		return SignatureEmpty
	}
	if len(d.Strokes) > MaxStrokes {
		return SignatureTooLarge
	}
	points := 0
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	ink := 0.0
	for _, stroke := range d.Strokes {
		points += len(stroke)
		if points > MaxPoints {
			return SignatureTooLarge
		}
		for i, pt := range stroke {
			if len(pt) != 2 || !coordinate(pt[0]) || !coordinate(pt[1]) {
				return SignatureMalformed
			}
			minX, maxX = math.Min(minX, pt[0]), math.Max(maxX, pt[0])
			minY, maxY = math.Min(minY, pt[1]), math.Max(maxY, pt[1])
			if i > 0 {
				ink += math.Hypot(pt[0]-stroke[i-1][0], pt[1]-stroke[i-1][1])
			}
		}
	}
	if points == 0 || math.Max(maxX-minX, maxY-minY) < MinExtent || ink < MinInk {
		return SignatureEmpty
	}
	return ""
}

func coordinate(v float64) bool {
	return !math.IsNaN(v) && v >= 0 && v <= MaxCoordinate
}
