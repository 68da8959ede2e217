// Package document renders the official PDF documents of Sbor: the
// signature sheets (Приложение 1, «Подписной лист») with each resident's
// drawn signature, the annex of signatures not counted as repeats, the
// protocol of collection results (Приложение 2, «Протокол об итогах сбора
// подписей»), a poster with a QR code to the project page, the protocol
// of a residents' meeting (сход, собрание, конференция) and the results of
// an opinion survey.
//
// The forms are legal documents, so their wording is reproduced verbatim
// from the municipal regulation (see shared/domain.md) and only the blanks
// are filled in. Output is a pure function of the input: fonts are embedded
// from golang.org/x/image/font/gofont (no system or downloaded fonts) and
// every date in the PDF metadata comes from the caller's CreatedAt, so the
// same input always produces byte-identical files that can be hashed,
// archived and compared.
package document
