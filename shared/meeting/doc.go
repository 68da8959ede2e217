// Package meeting holds the rules of residents' meetings (сход, собрание,
// конференция граждан): who may register, once per meeting; how votes are
// recorded (counts, or one vote per registered person); and how the
// decision on each agenda item follows from the votes by the rule the
// meeting set — a simple majority of those present by default.
package meeting
