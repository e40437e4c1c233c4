package svc

import "fmt"

// Ledger keeps every booking in order.
type Ledger struct {
	entries []string
}

// NewLedger makes an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{}
}

// Record books one entry.
func (l *Ledger) Record(account string, cents int) {
	l.entries = append(l.entries, fmt.Sprintf("%s %d", account, cents))
}
