"""The give/take log and what is computed from it: contact stats, Today, Habits."""
