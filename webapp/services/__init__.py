"""Services: every write and every rule. They own the transaction and raise domain errors."""
