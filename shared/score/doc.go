// Package score computes the selection commission's score of an
// initiative project by the criteria of Приложение 2 to the Ipatovo
// order (max 100 points, a project passes with 50 or more), and ranks
// passing projects within a budget (points 30–32).
//
// Band edges. The regulation's bands meet at edges it does not always
// settle ("меньше 50 %" and "более 50 %" leave exactly 50 % out; "до 5 %"
// and "более 5 %" both could take 5 %). One rule settles every edge: a
// value exactly at an edge belongs to the band that starts there (lower
// bound inclusive). So 50 % of beneficiaries earns 20 points, 10 %
// participation 10 points, 3 % co-financing 20, 5 % non-monetary
// contribution 10, and a cost of exactly 500 roubles per beneficiary 9.
//
// Shares are compared in integers (value×100 against total×percent), so
// no float rounding moves a project across an edge.
package score
