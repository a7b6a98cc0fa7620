"""Calendar feeds: guarded fetch, bounded parse and expansion, attendee matching."""
