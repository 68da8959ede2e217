// Package survey holds opinion surveys (опрос граждан, line 256): the
// questions the office asks about one or several projects, and the check
// of a resident's answers. A resident answers a survey once (the same
// identity key as signatures); free text is personal data like a name.
package survey
