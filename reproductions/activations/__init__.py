"""Claims about activation functions (seeds 000, 003: 'Activation functions')."""

TITLE = "Activation functions"
POSITION = 10
