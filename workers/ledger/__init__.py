"""The sync ledger's worker side: the hooks every step calls to enter what happened to a record
(``hooks``), the timelines and problems read back from it (``report``), and the gauges the
scheduler refreshes from them (``metrics``). The tables are ``store.sync_ledger``."""
