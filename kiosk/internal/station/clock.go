package station

import (
	"sync"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/signature"
)

// Clock is the kiosk's time: the device clock, unless an operator set or
// confirmed it. A set time runs on from the device's monotonic clock, so
// a later jump of the wall clock (NTP arriving) does not move it.
type Clock struct {
	loc       *time.Location
	buildDate calendar.Date
	system    func() time.Time

	mu     sync.Mutex
	set    time.Time // the operator's time at the moment of setting
	setAt  time.Time // the device's time (with monotonic reading) then
	bySelf bool      // no operator has set or confirmed it
}

// NewClock returns a clock in loc that distrusts dates before buildDate.
func NewClock(loc *time.Location, buildDate calendar.Date, system func() time.Time) *Clock {
	if system == nil {
		system = time.Now
	}
	return &Clock{loc: loc, buildDate: buildDate, system: system, bySelf: true}
}

// Now returns the current time in the municipality's zone and its source.
func (c *Clock) Now() (time.Time, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.system()
	if c.bySelf {
		return now.In(c.loc), signature.ClockSystem
	}
	return c.set.Add(now.Sub(c.setAt)).In(c.loc), signature.ClockOperator
}

// Today returns the current date in the municipality's zone.
func (c *Clock) Today() calendar.Date {
	now, _ := c.Now()
	return calendar.Of(now)
}

// Trusted reports whether signatures may be dated by this clock: an
// operator vouched for it, or it is not before the program's build date.
func (c *Clock) Trusted() bool {
	now, source := c.Now()
	return source == signature.ClockOperator || !calendar.Of(now).Before(c.buildDate)
}

// Set makes t the current time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set, c.setAt, c.bySelf = t, c.system(), false
}

// Confirm records that an operator checked the device's time is right.
func (c *Clock) Confirm() {
	c.Set(c.system())
}

// Location returns the municipality's zone.
func (c *Clock) Location() *time.Location { return c.loc }

// BuildDate returns the date before which the device clock is not trusted.
func (c *Clock) BuildDate() calendar.Date { return c.buildDate }
