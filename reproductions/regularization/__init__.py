"""Claims about regularization and generalization: dropout, weight decay, augmentation (seeds 001–003)."""

TITLE = "Regularization"
POSITION = 60
