// Package threshold computes how many signatures a project needs (not less
// than a percentage of the territory's residents, 30 % by default) and the
// progress toward it, in integers so that 1001 residents need 301, never a
// float rounding's 300.
package threshold
