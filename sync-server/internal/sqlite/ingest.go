package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/survey"
)

// EpochState is how far the server holds one kiosk database's log.
type EpochState struct {
	AckedSeq uint64
	HeadHash record.Hash
}

// EpochState returns the state for (kiosk, epoch); zero if nothing arrived yet.
func (db *DB) EpochState(ctx context.Context, kioskID, epoch string) (EpochState, error) {
	return epochState(ctx, db.db, kioskID, epoch)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func epochState(ctx context.Context, q queryer, kioskID, epoch string) (EpochState, error) {
	var st EpochState
	var head string
	err := q.QueryRowContext(ctx, "SELECT acked_seq, head_hash FROM kiosk_epochs WHERE kiosk_id = ? AND epoch = ?", kioskID, epoch).Scan(&st.AckedSeq, &head)
	if errors.Is(err, sql.ErrNoRows) {
		return EpochState{}, nil
	}
	if err != nil {
		return st, fmt.Errorf("sqlite: epoch state: %w", err)
	}
	if err := st.HeadHash.UnmarshalText([]byte(head)); err != nil {
		return st, fmt.Errorf("sqlite: epoch state: %w", err)
	}
	return st, nil
}

// Ingested is the outcome of one batch.
type Ingested struct {
	AckedSeq    uint64
	Quarantined []uint64
	// Projects whose tallies changed.
	Projects []string
}

// Ingest stores a batch of a kiosk's records in one transaction. A record
// the server holds with the same hash is a no-op; one with the same seq
// and another hash is quarantined, never overwritten; the next record
// must follow the chain, or the whole batch is refused with
// record.ErrChain and nothing of it stored (but its conflicts, which are
// kept in quarantine for the office).
func (db *DB) Ingest(ctx context.Context, kioskID, epoch string, recs []record.Record) (Ingested, error) {
	return db.ingest(ctx, kioskID, epoch, recs, -1)
}

// IngestAndTouch is Ingest that also records, in the same transaction,
// that the kiosk was heard from with pending records unsent (as Touch
// does): one commit, and one wait for the disk, a batch instead of two.
func (db *DB) IngestAndTouch(ctx context.Context, kioskID, epoch string, recs []record.Record, pending int) (Ingested, error) {
	return db.ingest(ctx, kioskID, epoch, recs, max(pending, 0))
}

// smallBatch is the most records a batch may have to go before bulk
// writers: what a kiosk sends while it is in touch, a few signatures.
const smallBatch = 20

func (db *DB) ingest(ctx context.Context, kioskID, epoch string, recs []record.Record, pending int) (Ingested, error) {
	var out Ingested
	var conflicts []record.Record
	// What a record alone tells (its hash, a signature's row) is worked
	// out before queueing for the writer, so that it overlaps with another
	// batch holding the database. One large batch at a time, until it
	// holds the writer: more would only crowd the CPU that live pages and
	// the office are served from, and hold more batches in memory.
	write := db.write
	admitted := false
	if len(recs) > smallBatch {
		write = db.writeBulk
		select {
		case db.preparing <- struct{}{}:
			admitted = true
		case <-ctx.Done():
			return Ingested{}, ctx.Err()
		}
	}
	next := func() {
		if admitted {
			admitted = false
			<-db.preparing
		}
	}
	defer next()
	pre := make([]prepared, len(recs))
	for i, r := range recs {
		pre[i] = db.prepare(epoch, r)
		if i%32 == 31 {
			runtime.Gosched() // let the quick work of other goroutines through
		}
	}
	err := write(ctx, func(sqltx *sql.Tx) error {
		next() // the writer is ours: the next batch may be prepared
		tx := newTxStmts(sqltx)
		st, err := epochState(ctx, tx, kioskID, epoch)
		if err != nil {
			return err
		}
		projects := map[string]bool{}
		for i, r := range recs {
			switch {
			case r.Seq <= st.AckedSeq:
				var held string
				if err := tx.QueryRowContext(ctx, "SELECT hash FROM records WHERE kiosk_id = ? AND epoch = ? AND seq = ?",
					kioskID, epoch, r.Seq).Scan(&held); err != nil {
					return fmt.Errorf("sqlite: held record %d: %w", r.Seq, err)
				}
				if held != r.Hash.String() {
					conflicts = append(conflicts, r)
				}
			default:
				if err := pre[i].follows(r, st.AckedSeq, st.HeadHash); err != nil {
					return err
				}
				// The public payload and the seal's digest, never the
				// sealed part: the log holds nothing personal, and the
				// hash still verifies.
				if _, err := tx.ExecContext(ctx, `INSERT INTO records (kiosk_id, epoch, seq, type, payload, seal_digest, prev_hash, hash, received_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, kioskID, epoch, r.Seq, string(r.Type), r.Payload, sealDigest(r),
					r.PrevHash.String(), r.Hash.String(), db.stamp()); err != nil {
					return fmt.Errorf("sqlite: insert record: %w", err)
				}
				changed, err := db.project(ctx, tx, kioskID, epoch, r, pre[i])
				if err != nil {
					return err
				}
				for _, p := range changed {
					projects[p] = true
				}
				st.AckedSeq, st.HeadHash = r.Seq, r.Hash
			}
		}
		if err := quarantine(ctx, tx, kioskID, epoch, conflicts, "a different record with this seq is already held", db.stamp()); err != nil {
			return err
		}
		if pending >= 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE kiosks SET last_seen = ?, pending = ? WHERE id = ?", db.stamp(), pending, kioskID); err != nil {
				return fmt.Errorf("sqlite: touch: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kiosk_epochs (kiosk_id, epoch, acked_seq, head_hash, last_seen) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (kiosk_id, epoch) DO UPDATE SET acked_seq = excluded.acked_seq, head_hash = excluded.head_hash, last_seen = excluded.last_seen`,
			kioskID, epoch, st.AckedSeq, st.HeadHash.String(), db.stamp()); err != nil {
			return fmt.Errorf("sqlite: epoch state: %w", err)
		}
		out.AckedSeq = st.AckedSeq
		for _, c := range conflicts {
			out.Quarantined = append(out.Quarantined, c.Seq)
		}
		for p := range projects {
			out.Projects = append(out.Projects, p)
		}
		return nil
	})
	if errors.Is(err, record.ErrChain) && len(conflicts) > 0 {
		qerr := db.write(ctx, func(tx *sql.Tx) error {
			return quarantine(ctx, tx, kioskID, epoch, conflicts, "a different record with this seq is already held", db.stamp())
		})
		return Ingested{}, errors.Join(err, qerr)
	}
	return out, err
}

// quarantine keeps recs for the office, sealed parts included: one that
// could not be opened here may be with the right key.
func quarantine(ctx context.Context, tx sqlTx, kioskID, epoch string, recs []record.Record, reason, now string) error {
	for _, r := range recs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine (kiosk_id, epoch, seq, type, payload, sealed, seal_digest, hash, reason, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, kioskID, epoch, r.Seq, string(r.Type), r.Payload, r.Sealed, sealDigest(r),
			r.Hash.String(), reason, now); err != nil {
			return fmt.Errorf("sqlite: quarantine: %w", err)
		}
		slog.Warn("record quarantined", "kiosk", kioskID, "epoch", epoch, "seq", r.Seq, "reason", reason)
	}
	return nil
}

// sealDigest is the stored form of r's seal digest: hex, or NULL for a
// record without a sealed part.
func sealDigest(r record.Record) any {
	if r.SealDigest == (record.Hash{}) {
		return nil
	}
	return r.SealDigest.String()
}

// project indexes a stored record by its type and returns the projects
// whose tallies it changed, reading the payload prepare opened. A record
// whose payload cannot be read, or whose sealed part cannot be opened,
// stays in the log (the chain needs it) and is also quarantined for the
// office.
func (db *DB) project(ctx context.Context, st *txStmts, kioskID, epoch string, r record.Record, pre prepared) ([]string, error) {
	tx := st.tx
	o := record.Origin{KioskID: kioskID, Epoch: epoch, Seq: r.Seq}
	unreadable := func() ([]string, error) {
		return nil, quarantine(ctx, st, kioskID, epoch, []record.Record{r}, "unreadable "+string(r.Type)+" payload", db.stamp())
	}
	if pre.unsealed != nil {
		reason := "sealed personal data cannot be opened: no office key"
		switch kp := db.officeKey(); {
		case r.Sealed == nil:
			reason = "sealed personal data erased at the kiosk before the server had them"
		case kp != nil:
			reason = "sealed personal data cannot be opened with the office key " + kp.Public.Fingerprint()
		}
		slog.Error("personal data of a record cannot be opened; kept in quarantine", "kiosk", kioskID, "epoch", epoch,
			"seq", r.Seq, "type", r.Type, "err", pre.unsealed)
		return nil, quarantine(ctx, st, kioskID, epoch, []record.Record{r}, reason, db.stamp())
	}
	payload := pre.payload
	switch r.Type {
	case record.TypeSignature:
		if pre.sig == nil {
			return unreadable()
		}
		return []string{pre.sig.s.ProjectID}, db.addSignature(ctx, st, o, pre.sig)
	case record.TypeMeeting:
		var m meeting.Meeting
		if json.Unmarshal(payload, &m) != nil || m.ID == "" {
			return unreadable()
		}
		return db.projectMeeting(ctx, tx, o, m)
	case record.TypeAttendance:
		var a meeting.Attendance
		if json.Unmarshal(payload, &a) != nil || a.MeetingID == "" || citizen.ValidateName(a.FullName) != nil || a.BirthDate.IsZero() {
			return unreadable()
		}
		o.At = a.RegisteredAt
		return db.projectAttendance(ctx, tx, o, a)
	case record.TypeVote:
		var v meeting.Vote
		if json.Unmarshal(payload, &v) != nil || v.MeetingID == "" || v.ProjectID == "" {
			return unreadable()
		}
		return db.projectVote(ctx, tx, o, v)
	case record.TypeBallot:
		return db.projectBallot(ctx, tx, o, payload, unreadable)
	case record.TypeSurveyAnswer:
		var a survey.Answer
		if json.Unmarshal(payload, &a) != nil || a.SurveyID == "" || citizen.ValidateName(a.FullName) != nil || a.BirthDate.IsZero() {
			return unreadable()
		}
		o.At = a.AnsweredAt
		return db.projectAnswer(ctx, tx, o, a)
	}
	// A record type this server does not know yet: kept in the log only.
	slog.Warn("record of unknown type kept unindexed", "kiosk", kioskID, "seq", r.Seq, "type", r.Type)
	return nil, nil
}

func readable(s signature.Signature) bool {
	return s.ProjectID != "" && citizen.ValidateName(s.FullName) == nil && !s.BirthDate.IsZero() && !s.SignedAt.IsZero()
}

// addSignature stores a signature and keeps exactly one counted
// signature per citizen and project: the earliest by record.Origin,
// whatever the order of arrival. The others point at it as duplicates.
//
// A group that has members has exactly one counted (the partial UNIQUE
// index allows no more, and every change recounts the group), so a
// newcomer is compared with that one alone: it counts if the group is
// empty or it is earlier, and then the others point at it. This is
// recountGroup's outcome without reading the whole group.
func (db *DB) addSignature(ctx context.Context, tx sqlTx, o record.Origin, row *sigRow) error {
	s, key := row.s, row.key
	group, err := resolveGroup(ctx, tx, s.ProjectID, key)
	if err != nil {
		return err
	}
	o.At = row.at
	var winner int64
	var w record.Origin
	var signed string
	err = tx.QueryRowContext(ctx, "SELECT id, signed_at, kiosk_id, epoch, seq FROM signatures WHERE project_id = ? AND group_key = ? AND counted = 1",
		s.ProjectID, group).Scan(&winner, &signed, &w.KioskID, &w.Epoch, &w.Seq)
	first := errors.Is(err, sql.ErrNoRows)
	if err != nil && !first {
		return fmt.Errorf("sqlite: group: %w", err)
	}
	if !first {
		if w.At, err = time.Parse(time.RFC3339, signed); err != nil {
			return fmt.Errorf("sqlite: signature %d signed_at: %w", winner, err)
		}
	}
	counts := first || o.Before(w)
	var dupOf any
	switch {
	case !counts:
		dupOf = winner
	case !first:
		// Uncount first: the partial UNIQUE index allows one counted row.
		if _, err := tx.ExecContext(ctx, "UPDATE signatures SET counted = 0 WHERE id = ?", winner); err != nil {
			return fmt.Errorf("sqlite: uncount: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO signatures (kiosk_id, epoch, seq, project_id, identity_key, group_key, key_hash,
		full_name, birth_date, signed_at, signed_unix, clock_source, consent_version, strokes, collector_id, sheet, row,
		counted, duplicate_of, receipt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.KioskID, o.Epoch, o.Seq, s.ProjectID, key, group, row.keyHash,
		row.name, s.BirthDate.String(), row.signedAt, s.SignedAt.Unix(),
		s.ClockSource, s.ConsentVersion, row.strokes, s.CollectorID, s.Sheet, s.Row, boolInt(counts), dupOf, s.Receipt)
	if err != nil {
		return fmt.Errorf("sqlite: insert signature: %w", err)
	}
	switch {
	case first:
		// A new citizen for this project: flag near-identical signers.
		return db.flagNearDuplicates(ctx, tx, s, key)
	case counts:
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE signatures SET duplicate_of = ? WHERE project_id = ? AND group_key = ? AND id <> ?",
			id, s.ProjectID, group, id); err != nil {
			return fmt.Errorf("sqlite: repoint duplicates: %w", err)
		}
	}
	return nil
}

// resolveGroup returns the dedupe group of an identity key.
func resolveGroup(ctx context.Context, q queryer, project, key string) (string, error) {
	var canonical string
	err := q.QueryRowContext(ctx, "SELECT canonical_key FROM identity_aliases WHERE project_id = ? AND alias_key = ?", project, key).Scan(&canonical)
	if errors.Is(err, sql.ErrNoRows) {
		return key, nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: alias: %w", err)
	}
	return canonical, nil
}

// recountGroup makes the earliest signature of a group the counted one and
// points the others at it. The choice depends only on the group's
// members, never on the order they arrived in.
func recountGroup(ctx context.Context, tx sqlTx, project, group string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, signed_at, kiosk_id, epoch, seq, counted, COALESCE(duplicate_of, 0)
		FROM signatures WHERE project_id = ? AND group_key = ?`, project, group)
	if err != nil {
		return fmt.Errorf("sqlite: group: %w", err)
	}
	type member struct {
		id, dupOf int64
		origin    record.Origin
		counted   bool
	}
	var ms []member
	for rows.Next() {
		var m member
		var signed string
		var counted int
		if err := rows.Scan(&m.id, &signed, &m.origin.KioskID, &m.origin.Epoch, &m.origin.Seq, &counted, &m.dupOf); err != nil {
			rows.Close()
			return err
		}
		if m.origin.At, err = time.Parse(time.RFC3339, signed); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: signature %d signed_at: %w", m.id, err)
		}
		m.counted = counted == 1
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ms) == 0 {
		return err
	}
	first := 0
	for i := range ms {
		if ms[i].origin.Before(ms[first].origin) {
			first = i
		}
	}
	winner := ms[first].id
	// Uncount first: the partial UNIQUE index allows one counted row.
	for _, m := range ms {
		if m.id != winner && (m.counted || m.dupOf != winner) {
			if _, err := tx.ExecContext(ctx, "UPDATE signatures SET counted = 0, duplicate_of = ? WHERE id = ?", winner, m.id); err != nil {
				return fmt.Errorf("sqlite: uncount: %w", err)
			}
		}
	}
	if !ms[first].counted || ms[first].dupOf != 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE signatures SET counted = 1, duplicate_of = NULL WHERE id = ?", winner); err != nil {
			return fmt.Errorf("sqlite: count: %w", err)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
