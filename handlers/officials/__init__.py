"""Officials' features: calls, broadcasts, progress, figures, events."""
