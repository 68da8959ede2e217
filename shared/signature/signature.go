package signature

import (
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

// Clock sources recorded with every signature, so the office can tell a
// date the device trusted from one an operator typed.
const (
	ClockSystem   = "system"   // the device clock, later than the build date
	ClockOperator = "operator" // set or confirmed by the operator with the PIN
)

// Signature is one row of a signature sheet, as a kiosk records it in its
// log and the server receives it.
type Signature struct {
	ProjectID      string        `json:"project_id"`
	IdentityKey    citizen.Key   `json:"identity_key"`
	FullName       string        `json:"full_name"`
	BirthDate      calendar.Date `json:"birth_date"`
	SignedAt       time.Time     `json:"signed_at"`
	ClockSource    string        `json:"clock_source"`
	ConsentVersion string        `json:"consent_version"`
	Strokes        [][][]float64 `json:"strokes"`
	CollectorID    string        `json:"collector_id"`
	Sheet          int           `json:"sheet"`
	Row            int           `json:"row"`
	// Receipt is an unguessable code the resident takes away as a QR code;
	// the server's project page tells its status, never a name.
	Receipt string `json:"receipt,omitempty"`
}
