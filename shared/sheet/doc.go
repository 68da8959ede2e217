// Package sheet numbers signatures into signature sheets (подписные листы).
// Each sheet is certified by one collector, so a collector fills their own
// sheet row by row and a new sheet takes the project's next number.
package sheet
