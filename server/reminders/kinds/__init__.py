"""One module per notification kind; each registers its `Kind` at import."""
