"""Web push: VAPID identity, subscriptions, concurrent delivery from the outbox."""
