"""What is due, planned into the outbox: one module per notification kind under `kinds/`.

Each kind declares itself once (`registry.Kind`): what it plans, its natural key, TTL and
urgency, the setting that turns it on, whether it is still wanted at send time and how its
payload reads. Delivery, settings, the payload and the settings screen read the registry.
`planning` runs the pass: only users marked for re-planning or whose local day changed.
"""
