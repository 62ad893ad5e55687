"""Claims about parameter updates and optimizers (seeds 000, 002, 003: 'Parameter updates')."""

TITLE = "Optimization"
POSITION = 70
