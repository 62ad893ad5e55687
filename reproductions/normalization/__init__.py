"""Claims about batch normalization (seeds 000, 001, 004: 'Batch normalization')."""

TITLE = "Batch normalization"
POSITION = 40
