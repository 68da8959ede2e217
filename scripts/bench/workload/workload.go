// Package workload generates the deterministic data Sbor's benchmarks
// feed the kiosk and the sync server: residents with valid Russian names,
// signatures as shared/signature.Signature with drawn strokes, kiosk logs
// hash-chained with shared/record, and a catalogue with many projects.
// The same Spec always yields the same records, so two runs of the suite
// ingest the same bytes and their figures compare.
package workload

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/consent"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/signature"
)

// Spec sizes a workload: Kiosks kiosks each sign PerKiosk signatures for
// Projects projects; DupPermille of every thousand signatures repeat a
// citizen who already signed the same project at another kiosk (the
// cross-kiosk duplicates the server dedupes).
type Spec struct {
	Projects    int
	Kiosks      int
	PerKiosk    int
	DupPermille int
	// Points is how many points a drawn signature has (a finger
	// signature on the kiosk's pad is about 60–150).
	Points int
	// Start is the first signing moment; each kiosk signs every 30 s.
	Start time.Time
}

// Default is the scale of the dedupe figure: 1,000,000 signatures from
// 100 kiosks over 1,000 projects, 5 % of them cross-kiosk duplicates.
var Default = Spec{Projects: 1000, Kiosks: 100, PerKiosk: 10000, DupPermille: 50, Points: 90,
	Start: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}

// ProjectID names project i (0-based).
func ProjectID(i int) string { return fmt.Sprintf("p%04d", i+1) }

// TerritoryID names the territory of project i: ten projects a territory.
func TerritoryID(i int) string { return fmt.Sprintf("t%03d", i/10+1) }

// KioskName is how the office registers kiosk k.
func KioskName(k int) string { return fmt.Sprintf("Киоск %03d", k+1) }

// LiveProject is a project no simulated kiosk signs: the live fan-out
// figure signs it from a real kiosk and watches its count move.
const LiveProject = "live"

// Collectors of every project.
var Collectors = []catalog.Member{
	{ID: "m1", FullName: "Петрова Мария Ивановна", BirthDate: calendar.MustParse("1975-03-14"),
		Document: "паспорт 07 12 345678, выдан ОВД Ипатовского района 01.04.2020", Address: "с. Кевсала, ул. Ленина, д. 5"},
	{ID: "m2", FullName: "Сидоров Пётр Алексеевич", BirthDate: calendar.MustParse("1968-11-02"),
		Document: "паспорт 07 05 112233", Address: "с. Кевсала, ул. Садовая, д. 12"},
}

// Catalog returns a catalogue with the spec's projects plus LiveProject,
// their collection window open around today.
func (s Spec) Catalog(version int, today calendar.Date) *catalog.Catalog {
	from := calendar.Of(time.Date(today.Year, today.Month, today.Day-300, 12, 0, 0, 0, time.UTC))
	to := calendar.Of(time.Date(today.Year, today.Month, today.Day+90, 12, 0, 0, 0, time.UTC))
	if sf := calendar.Of(s.Start); sf.Before(from) {
		from = sf
	}
	c := &catalog.Catalog{Version: version}
	for t := 0; t*10 < s.Projects || t == 0; t++ {
		c.Territories = append(c.Territories, catalog.Territory{ID: fmt.Sprintf("t%03d", t+1), Name: fmt.Sprintf("с. Поселение-%d", t+1),
			Residents: 20000, Resolution: "постановление № 12 от 01.03.2026", Streets: []string{"ул. Ленина", "ул. Садовая"}})
	}
	for i := 0; i < s.Projects; i++ {
		c.Projects = append(c.Projects, catalog.Project{ID: ProjectID(i), TerritoryID: TerritoryID(i),
			Name: fmt.Sprintf("Благоустройство сквера № %d", i+1), Description: "Скамейки, освещение и дорожки.",
			CollectFrom: from, CollectTo: to, Members: Collectors})
	}
	c.Projects = append(c.Projects, catalog.Project{ID: LiveProject, TerritoryID: "t001", Name: "Ремонт детской площадки",
		Description: "Замена качелей и горки.", CollectFrom: from, CollectTo: to, Members: Collectors})
	c.ApplyDefaults()
	return c
}

var (
	surnames = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
		"Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
		"Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
		"Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв"}
	givens = []string{"Иван", "Пётр", "Сергей", "Андрей", "Алексей", "Дмитрий", "Михаил", "Николай", "Владимир", "Юрий",
		"Олег", "Виктор", "Павел", "Роман", "Евгений", "Артём", "Кирилл", "Максим", "Егор", "Илья"}
	patronymics = []string{"Иванович", "Петрович", "Сергеевич", "Андреевич", "Алексеевич", "Дмитриевич", "Михайлович",
		"Николаевич", "Владимирович", "Юрьевич", "Олегович", "Викторович", "Павлович", "Романович", "Евгеньевич"}
)

// Citizen returns the name and birth date of citizen c (any c ≥ 0 gives a
// distinct identity key: 12,000 names times 10,950 birth dates).
func Citizen(c int) (string, calendar.Date) {
	name := surnames[c%len(surnames)] + " " + givens[(c/len(surnames))%len(givens)] + " " +
		patronymics[(c/(len(surnames)*len(givens)))%len(patronymics)]
	n := len(surnames) * len(givens) * len(patronymics)
	day := (c/n + c*7919) % 10950 // about 30 years of birthdays
	birth := calendar.Of(time.Date(1950, 1, 1+day, 12, 0, 0, 0, time.UTC))
	return name, birth
}

// Strokes returns a drawn signature of about points points in three
// strokes, in pad pixels rounded to 0.1 as the kiosk's pad records them.
func Strokes(seed, points int) [][][]float64 {
	if points < 3 {
		points = 3
	}
	out := make([][][]float64, 3)
	per := points / 3
	for s := range out {
		st := make([][]float64, 0, per)
		for i := 0; i < per; i++ {
			t := float64(i) / float64(per)
			x := 40 + float64(s)*180 + t*160
			y := 120 + 60*math.Sin(t*6.3+float64(seed%17+s))
			st = append(st, []float64{math.Round(x*10) / 10, math.Round(y*10) / 10})
		}
		out[s] = st
	}
	return out
}

// mix is a 64-bit hash (splitmix64) for the deterministic choices.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (s Spec) isDup(k, n int) bool {
	return s.Kiosks > 1 && int(mix(uint64(k)<<32|uint64(n))%1000) < s.DupPermille
}

// uniques is how many first-time signatures kiosk k makes.
func (s Spec) uniques(k int) int {
	u := 0
	for n := 0; n < s.PerKiosk; n++ {
		if !s.isDup(k, n) {
			u++
		}
	}
	return u
}

// Kiosk generates kiosk k's signatures in log order.
type Kiosk struct {
	spec    Spec
	k, n, m int
	minU    int // fewest uniques any kiosk makes: a duplicate repeats one of those
}

// Kiosk returns the generator of kiosk k's signatures.
func (s Spec) Kiosk(k int) *Kiosk {
	minU := s.PerKiosk
	if s.Kiosks > 1 {
		// Every kiosk makes about the same number of uniques; the
		// duplicates pick among the first 90 % of them, which exist.
		minU = s.PerKiosk * (1000 - s.DupPermille) / 1000 * 9 / 10
	}
	return &Kiosk{spec: s, k: k, minU: max(1, minU)}
}

// Done reports whether the kiosk made all its signatures.
func (g *Kiosk) Done() bool { return g.n >= g.spec.PerKiosk }

// Next returns the kiosk's next signature and whether it repeats a
// citizen another kiosk signed up.
func (g *Kiosk) Next() (signature.Signature, bool) {
	s := g.spec
	at := s.Start.Add(time.Duration(g.n)*30*time.Second + time.Duration(g.k)*7*time.Second)
	dup := s.isDup(g.k, g.n)
	var u int
	if dup {
		h := mix(uint64(g.k)<<40 | uint64(g.n) | 1<<63)
		other := (g.k + 1 + int(h%uint64(s.Kiosks-1))) % s.Kiosks
		u = other + s.Kiosks*int((h>>20)%uint64(g.minU))
	} else {
		u = g.k + s.Kiosks*g.m
		g.m++
	}
	project, c := u%s.Projects, u/s.Projects
	name, birth := Citizen(c)
	sig := signature.Signature{
		ProjectID:      ProjectID(project),
		IdentityKey:    citizen.IdentityKey(name, birth),
		FullName:       name,
		BirthDate:      birth,
		SignedAt:       at,
		ClockSource:    signature.ClockSystem,
		ConsentVersion: consent.Version,
		Strokes:        Strokes(u+g.n, s.Points),
		CollectorID:    Collectors[u%len(Collectors)].ID,
		Sheet:          1 + g.m/10,
		Row:            1 + g.m%10,
		Receipt:        fmt.Sprintf("r%016x", mix(uint64(u)<<8|uint64(g.k))),
	}
	g.n++
	return sig, dup
}

// Chain appends records to one kiosk epoch's hash-chained log.
type Chain struct {
	Epoch string
	Seq   uint64
	Head  record.Hash
	// Office, if set, is the key records' personal data are sealed to,
	// as a real kiosk does; zero leaves them in the clear.
	Office seal.PublicKey
}

// NewChain starts an epoch; the epoch is derived from seed so a rerun
// makes the same log.
func NewChain(seed uint64) *Chain {
	return &Chain{Epoch: fmt.Sprintf("%016x%016x", mix(seed), mix(seed^0xa5a5))}
}

// Append adds a record and returns it.
func (c *Chain) Append(typ record.Type, payload []byte) record.Record {
	var sealed []byte
	if !c.Office.IsZero() {
		var err error
		if payload, sealed, err = record.Seal(typ, payload, c.Office); err != nil {
			panic(err) // a payload this package made always parts
		}
	}
	r := record.NewSealed(c.Epoch, c.Seq, c.Head, typ, payload, sealed)
	c.Seq, c.Head = r.Seq, r.Hash
	return r
}

// Signature appends s as a signature record.
func (c *Chain) Signature(s signature.Signature) record.Record {
	payload, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Signature always marshals
	}
	return c.Append(record.TypeSignature, payload)
}

// Form is what a resident types and draws at the kiosk for citizen c.
func Form(c, points int) map[string]any {
	name, birth := Citizen(c)
	return map[string]any{"full_name": name, "birth_date": birth.String(), "resident": true, "consent": true,
		"signature": map[string]any{"strokes": Strokes(c, points)}}
}
