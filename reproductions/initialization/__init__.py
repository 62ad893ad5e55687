"""Claims about weight initialisation (seeds 001, 003, 004: 'Weight initialization')."""

TITLE = "Weight initialization"
POSITION = 30
