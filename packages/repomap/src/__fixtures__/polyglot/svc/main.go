package svc

func Run() int {
	ledger := NewLedger()
	ledger.Record("cash", 100)
	ledger.Record("bank", -100)
	return len(ledger.entries)
}
