package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/survey"
)

// openSealed is openTest with an office key in use.
func openSealed(t *testing.T, kioskIDs ...string) (*DB, *seal.KeyPair) {
	t.Helper()
	db := openTest(t, kioskIDs...)
	kp, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseOfficeKey(context.Background(), kp); err != nil {
		t.Fatal(err)
	}
	return db, kp
}

// addSealed appends to k's log a record of v, its personal members sealed to
// office as a kiosk seals them.
func (k *kioskLog) addSealed(t *testing.T, typ record.Type, v any, office seal.PublicKey) record.Record {
	t.Helper()
	payload, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	public, sealed, err := record.Seal(typ, payload, office)
	if err != nil {
		t.Fatal(err)
	}
	prevSeq, prev := uint64(0), record.Genesis
	if n := len(k.recs); n > 0 {
		prevSeq, prev = k.recs[n-1].Seq, k.recs[n-1].Hash
	}
	r := record.NewSealed(k.epoch, prevSeq, prev, typ, public, sealed)
	k.recs = append(k.recs, r)
	return r
}

var (
	sealedBirth = calendar.MustParse("1958-11-23")
	sealedAt    = time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
)

func sealedSignature(project, name string) signature.Signature {
	return signature.Signature{ProjectID: project, IdentityKey: citizen.IdentityKey(name, sealedBirth), FullName: name, BirthDate: sealedBirth,
		SignedAt: sealedAt, ClockSource: "system", ConsentVersion: "v", Strokes: [][][]float64{{{0, 0}, {17, 42}}}, CollectorID: "m1", Sheet: 1, Row: 1}
}

// TestIngestSealed: sealed signatures, registrations, ballots and survey
// answers are opened on receipt into the typed tables, while the log
// keeps only their public payloads and seal digests, from which the
// chain still verifies.
func TestIngestSealed(t *testing.T) {
	ctx := context.Background()
	db, kp := openSealed(t, "k1")
	k := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	names := map[string]string{
		"signature":  "Запечатанова Ангелина Фёдоровна",
		"attendance": "Пришедший Святослав Игоревич",
		"ballot":     "Пришедший Святослав Игоревич",
		"survey":     "Опрошенная Таисия Марковна",
	}
	m := meeting.Meeting{ID: "mt1", Kind: "meeting", Date: calendar.Of(sealedAt), Place: "клуб", TerritoryID: "t1",
		Agenda: []string{"p1"}, Chair: "Петрова", Secretary: "Иванова", VoteMode: "ballots"}
	k.addSealed(t, record.TypeMeeting, m, kp.Public)
	k.addSealed(t, record.TypeSignature, sealedSignature("p1", names["signature"]), kp.Public)
	k.addSealed(t, record.TypeAttendance, meeting.Attendance{MeetingID: "mt1", IdentityKey: citizen.IdentityKey(names["attendance"], sealedBirth),
		FullName: names["attendance"], BirthDate: sealedBirth, RegisteredAt: sealedAt, ConsentVersion: "v"}, kp.Public)
	k.addSealed(t, record.TypeBallot, meeting.Ballot{MeetingID: "mt1", ProjectID: "p1", IdentityKey: citizen.IdentityKey(names["ballot"], sealedBirth),
		FullName: names["ballot"], BirthDate: sealedBirth, Choice: meeting.ChoiceFor, CastAt: sealedAt}, kp.Public)
	k.addSealed(t, record.TypeSurveyAnswer, survey.Answer{SurveyID: "s1", IdentityKey: citizen.IdentityKey(names["survey"], sealedBirth),
		FullName: names["survey"], BirthDate: sealedBirth, Replies: map[string]survey.Reply{"q1": {Text: "Скамейки у пруда"}},
		AnsweredAt: sealedAt, ConsentVersion: "v"}, kp.Public)
	// An older kiosk's record, unsealed, in the same log.
	k.sign(t, "p1", "Открытов Пётр Ильич", sealedAt.Add(time.Minute))
	for _, r := range k.recs[1:5] {
		if r.SealDigest == (record.Hash{}) || bytes.Contains(r.Payload, []byte("full_name")) {
			t.Fatalf("seq %d was not sealed: %s", r.Seq, r.Payload)
		}
	}

	got, err := db.Ingest(ctx, k.id, k.epoch, k.recs)
	if err != nil || got.AckedSeq != 6 {
		t.Fatalf("%+v %v", got, err)
	}
	var q int
	db.db.QueryRow("SELECT COUNT(*) FROM quarantine").Scan(&q)
	if q != 0 {
		t.Fatalf("%d records quarantined", q)
	}
	for _, c := range []struct{ query, want string }{
		{"SELECT full_name || ' ' || birth_date || ' ' || strokes FROM signatures WHERE seq = 2",
			names["signature"] + " 1958-11-23 [[[0,0],[17,42]]]"},
		{"SELECT full_name || ' ' || birth_date FROM attendance WHERE seq = 3", names["attendance"] + " 1958-11-23"},
		{"SELECT full_name || ' ' || birth_date || ' ' || choice FROM ballots WHERE seq = 4", names["ballot"] + " 1958-11-23 for"},
		{"SELECT full_name || ' ' || birth_date || ' ' || replies FROM survey_answers WHERE seq = 5",
			names["survey"] + ` 1958-11-23 {"q1":{"text":"Скамейки у пруда"}}`},
		{"SELECT full_name FROM signatures WHERE seq = 6", "Открытов Пётр Ильич"},
	} {
		var s string
		if err := db.db.QueryRow(c.query).Scan(&s); err != nil || s != c.want {
			t.Errorf("%s = %q, %v; want %q", c.query, s, err, c.want)
		}
	}
	if tally, _ := db.Tally(ctx, "p1"); tally.Counted != 2 {
		t.Fatalf("tally %+v", tally)
	}

	// The log: public payloads only, and each chain link verifies from
	// what is stored.
	rows, err := db.db.Query("SELECT seq, type, payload, seal_digest, prev_hash, hash FROM records ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq uint64
		var typ, prevHex, hashHex string
		var payload []byte
		var digestHex *string
		if err := rows.Scan(&seq, &typ, &payload, &digestHex, &prevHex, &hashHex); err != nil {
			t.Fatal(err)
		}
		r := record.Record{Seq: seq, Type: record.Type(typ), Payload: payload}
		r.PrevHash.UnmarshalText([]byte(prevHex))
		r.Hash.UnmarshalText([]byte(hashHex))
		if digestHex != nil {
			r.SealDigest.UnmarshalText([]byte(*digestHex))
		}
		if r.Recompute(k.epoch) != r.Hash {
			t.Errorf("seq %d does not verify from the stored columns", seq)
		}
		sealed := seq >= 2 && seq <= 5
		if sealed != (digestHex != nil) {
			t.Errorf("seq %d: seal digest %v", seq, digestHex)
		}
		if !sealed {
			continue
		}
		for _, s := range []string{names["signature"], names["attendance"], names["survey"], "1958-11-23", "Скамейки",
			"full_name", "birth_date", "identity_key", "strokes", "replies"} {
			if bytes.Contains(payload, []byte(s)) {
				t.Errorf("records.payload of seq %d holds %q: %s", seq, s, payload)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestIngestSealedUnopenable: a record sealed to another key, or whose
// sealed part the kiosk erased before the server had it, stays in the
// log and goes to quarantine with what sealed part there is; the chain
// goes on past it.
func TestIngestSealedUnopenable(t *testing.T) {
	ctx := context.Background()
	db, kp := openSealed(t, "k1")
	other, _ := seal.Generate()
	k := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	foreign := k.addSealed(t, record.TypeSignature, sealedSignature("p1", "Чужеключев Олег Олегович"), other.Public)
	k.addSealed(t, record.TypeSignature, sealedSignature("p1", "Своеключева Ольга Олеговна"), kp.Public)
	k.addSealed(t, record.TypeSignature, sealedSignature("p1", "Стёртова Нина Павловна"), kp.Public)
	k.recs[2].Sealed = nil // erased; the digest stays, and the hash with it

	got, err := db.Ingest(ctx, k.id, k.epoch, k.recs)
	if err != nil || got.AckedSeq != 3 {
		t.Fatalf("%+v %v", got, err)
	}
	if st, _ := db.EpochState(ctx, k.id, k.epoch); st.AckedSeq != 3 || st.HeadHash != k.recs[2].Hash {
		t.Fatalf("chain did not advance: %+v", st)
	}
	if n, _ := db.RecordCount(ctx, k.id, k.epoch); n != 3 {
		t.Fatalf("log holds %d records", n)
	}
	rows, err := db.db.Query("SELECT seq, sealed, seal_digest, reason FROM quarantine ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		seq    uint64
		sealed []byte
		digest string
		reason string
	}
	var qs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.sealed, &r.digest, &r.reason); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, r)
	}
	rows.Close()
	if len(qs) != 2 || qs[0].seq != 1 || qs[1].seq != 3 {
		t.Fatalf("quarantine %+v, want seq 1 and 3", qs)
	}
	if !bytes.Equal(qs[0].sealed, foreign.Sealed) || qs[0].digest != foreign.SealDigest.String() || !strings.Contains(qs[0].reason, kp.Public.Fingerprint()) {
		t.Fatalf("foreign-key record quarantined as %+v", qs[0])
	}
	// The office, with the right key, can open what was kept.
	if plain, err := other.Open(qs[0].sealed); err != nil || !bytes.Contains(plain, []byte("Чужеключев")) {
		t.Fatalf("kept sealed part does not open with its key: %v", err)
	}
	if qs[1].sealed != nil || !strings.Contains(qs[1].reason, "erased") {
		t.Fatalf("erased record quarantined as %+v", qs[1])
	}
	var names []string
	r, _ := db.db.Query("SELECT full_name FROM signatures")
	for r.Next() {
		var n string
		r.Scan(&n)
		names = append(names, n)
	}
	r.Close()
	if len(names) != 1 || names[0] != "Своеключева Ольга Олеговна" {
		t.Fatalf("signatures stored: %q", names)
	}
}

// TestIngestSealedAltered: a sealed part that does not match its digest
// breaks the chain, and nothing of the batch is stored.
func TestIngestSealedAltered(t *testing.T) {
	ctx := context.Background()
	db, kp := openSealed(t, "k1")
	k := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	k.addSealed(t, record.TypeSignature, sealedSignature("p1", "Первова Анна Ивановна"), kp.Public)
	k.addSealed(t, record.TypeSignature, sealedSignature("p1", "Подменова Вера Ивановна"), kp.Public)
	k.recs[1].Sealed = bytes.Clone(k.recs[1].Sealed)
	k.recs[1].Sealed[len(k.recs[1].Sealed)-1] ^= 1
	if _, err := db.Ingest(ctx, k.id, k.epoch, k.recs); !errors.Is(err, record.ErrChain) {
		t.Fatalf("altered seal: %v", err)
	}
	for _, table := range []string{"records", "signatures", "quarantine"} {
		var n int
		db.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n)
		if n != 0 {
			t.Errorf("%s holds %d rows after a refused batch", table, n)
		}
	}
}

// TestOfficeKeyRemembered: a database keeps to the first key it was
// given, across restarts.
func TestOfficeKeyRemembered(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if fp, err := db.OfficeKeyFingerprint(ctx); err != nil || fp != "" {
		t.Fatalf("new database remembers %q, %v", fp, err)
	}
	kp, _ := seal.Generate()
	other, _ := seal.Generate()
	if err := db.UseOfficeKey(ctx, kp); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if fp, _ := db.OfficeKeyFingerprint(ctx); fp != kp.Public.Fingerprint() {
		t.Fatalf("remembered %q, want %q", fp, kp.Public.Fingerprint())
	}
	if err := db.UseOfficeKey(ctx, other); !errors.Is(err, ErrOfficeKey) {
		t.Fatalf("another key accepted: %v", err)
	}
	if db.officeKey() != nil {
		t.Fatal("a refused key is in use")
	}
	if err := db.UseOfficeKey(ctx, kp); err != nil || db.officeKey() != kp {
		t.Fatalf("the remembered key refused: %v", err)
	}
}

// TestCatalogCarriesOfficeKey: catalogues come out of the store with the
// server's key, those saved before it had one too, and one naming
// another key is refused.
func TestCatalogCarriesOfficeKey(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	c := catalog.Demo(calendar.Of(time.Now()))
	if _, err := db.PutCatalog(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Catalog(ctx); got.OfficeKey != "" {
		t.Fatalf("stamped with no key in use: %q", got.OfficeKey)
	}
	kp, _ := seal.Generate()
	if err := db.UseOfficeKey(ctx, kp); err != nil {
		t.Fatal(err)
	}
	got, err := db.Catalog(ctx)
	if err != nil || got.OfficeKey != kp.Public.String() {
		t.Fatalf("catalogue saved before the key: office_key %q, %v", got.OfficeKey, err)
	}
	if k, err := got.SealKey(); err != nil || k != kp.Public {
		t.Fatalf("SealKey: %v", err)
	}
	stored, err := db.PutCatalog(ctx, c)
	if err != nil || stored.OfficeKey != kp.Public.String() || c.OfficeKey != "" {
		t.Fatalf("put: %q (argument %q), %v", stored.OfficeKey, c.OfficeKey, err)
	}
	var body string
	db.db.QueryRow("SELECT body FROM catalogs ORDER BY version DESC LIMIT 1").Scan(&body)
	if !strings.Contains(body, `"office_key":"`+kp.Public.String()+`"`) {
		t.Fatalf("stored body lacks the key: %s", body)
	}
	same := *c
	same.OfficeKey = " " + kp.Public.String() + "\n"
	if _, err := db.PutCatalog(ctx, &same); err != nil {
		t.Fatalf("own key refused: %v", err)
	}
	other, _ := seal.Generate()
	foreign := *c
	foreign.OfficeKey = other.Public.String()
	_, err = db.PutCatalog(ctx, &foreign)
	var fe *catalog.FieldError
	if !errors.As(err, &fe) || fe.Field != "office_key" || !errors.Is(err, catalog.ErrInvalid) || !strings.Contains(fe.Message, "не совпадает") {
		t.Fatalf("foreign key: %v", err)
	}
	if now, _ := db.Catalog(ctx); now.Version != stored.Version+1 || now.OfficeKey != kp.Public.String() {
		t.Fatalf("after the refusal: version %d (want %d), key %q", now.Version, stored.Version+1, now.OfficeKey)
	}
}

// TestPurgeQuarantine: retention erases the sealed parts, and personal
// members sent in the clear, of a purged project's quarantined records,
// and nothing of another project's.
func TestPurgeQuarantine(t *testing.T) {
	ctx := context.Background()
	db, _ := openSealed(t, "k1")
	other, _ := seal.Generate()
	k := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	k.addSealed(t, record.TypeSignature, sealedSignature("p1", "Чужеключев Олег Олегович"), other.Public)
	k.addSealed(t, record.TypeSignature, sealedSignature("p2", "Другопроектов Иван Ильич"), other.Public)
	k.addSealed(t, record.TypeSurveyAnswer, survey.Answer{SurveyID: "s1", FullName: "Опросова Дарья Львовна", BirthDate: sealedBirth,
		Replies: map[string]survey.Reply{"q1": {Text: "да"}}, AnsweredAt: sealedAt}, other.Public)
	// An older kiosk's unreadable signature, sent in the clear.
	bad := sealedSignature("p1", "Нечитаемов Яков Ильич")
	bad.SignedAt = time.Time{}
	payload, _ := json.Marshal(bad)
	k.recs = append(k.recs, record.New(k.epoch, 3, k.recs[2].Hash, record.TypeSignature, payload))
	if _, err := db.Ingest(ctx, k.id, k.epoch, k.recs); err != nil {
		t.Fatal(err)
	}
	var q int
	db.db.QueryRow("SELECT COUNT(*) FROM quarantine").Scan(&q)
	if q != 4 {
		t.Fatalf("%d quarantined, want 4", q)
	}
	n, err := db.PurgeProject(ctx, "p1", nil, []string{"s1"})
	if err != nil || n.Quarantined != 3 {
		t.Fatalf("purge: %+v %v", n, err)
	}
	rows, _ := db.db.Query("SELECT seq, payload, sealed IS NOT NULL FROM quarantine ORDER BY seq")
	defer rows.Close()
	for rows.Next() {
		var seq uint64
		var payload []byte
		var sealed bool
		rows.Scan(&seq, &payload, &sealed)
		keep := seq == 2
		if sealed != keep {
			t.Errorf("seq %d: sealed part kept %v", seq, sealed)
		}
		if bytes.Contains(payload, []byte("Нечитаемов")) || bytes.Contains(payload, []byte("birth_date")) {
			t.Errorf("seq %d: payload keeps personal data: %s", seq, payload)
		}
		if !json.Valid(payload) || (seq != 3 && !bytes.Contains(payload, []byte(`"project_id"`))) {
			t.Errorf("seq %d: public payload lost: %s", seq, payload)
		}
	}
	if n, _ := db.PurgeProject(ctx, "p1", nil, []string{"s1"}); n.Quarantined != 0 {
		t.Fatalf("a second purge erased %d again", n.Quarantined)
	}
}

// TestIngestSealedSignatureMalformed: a signature's two parts are read into
// one value, so a sealed part that carries a public member, or a public
// part that carries a personal one beside a seal, is unreadable, not a
// way to overwrite a field: kept in the log, quarantined, not counted.
func TestIngestSealedSignatureMalformed(t *testing.T) {
	ctx := context.Background()
	db, kp := openSealed(t, "k1")
	k := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	add := func(public, private string) {
		sealed, err := seal.Seal(kp.Public, []byte(private))
		if err != nil {
			t.Fatal(err)
		}
		prevSeq, prev := uint64(0), record.Genesis
		if n := len(k.recs); n > 0 {
			prevSeq, prev = k.recs[n-1].Seq, k.recs[n-1].Hash
		}
		k.recs = append(k.recs, record.NewSealed(k.epoch, prevSeq, prev, record.TypeSignature, []byte(public), sealed))
	}
	public := `{"project_id":"p1","signed_at":"2026-05-20T10:00:00Z","clock_source":"system","consent_version":"v","collector_id":"m1","sheet":1,"row":%d}`
	personal := `{"identity_key":"k","full_name":"Двойнова Анна Петровна","birth_date":"1958-11-23","strokes":[[[0,0],[17,42]]]`
	add(fmt.Sprintf(public, 1), personal+`,"project_id":"p2"}`)                                      // a public member sealed
	add(fmt.Sprintf(public[:len(public)-1], 2)+`,"full_name":"Другая Анна Петровна"}`, personal+`}`) // a personal member in the clear
	add(fmt.Sprintf(public, 3), personal+`}`)                                                        // well formed
	got, err := db.Ingest(ctx, k.id, k.epoch, k.recs)
	if err != nil || got.AckedSeq != 3 {
		t.Fatalf("%+v %v", got, err)
	}
	var q, counted int
	db.db.QueryRow("SELECT COUNT(*) FROM quarantine").Scan(&q)
	db.db.QueryRow("SELECT COUNT(*) FROM signatures WHERE project_id = 'p1'").Scan(&counted)
	if q != 2 || counted != 1 {
		t.Fatalf("quarantined %d, signatures %d; want 2 and 1", q, counted)
	}
}
