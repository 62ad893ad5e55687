"""Claims about babysitting the learning process: sanity checks, the loss curve, the learning rate, the gap (seeds 000–004)."""

TITLE = "Babysitting the learning process"
POSITION = 50
