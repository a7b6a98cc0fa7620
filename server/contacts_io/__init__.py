"""vCard / CSV import, vCard / JSON export."""
