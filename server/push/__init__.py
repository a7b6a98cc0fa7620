"""Web push: VAPID identity, subscriptions, delivery through pywebpush."""
