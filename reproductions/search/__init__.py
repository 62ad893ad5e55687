"""Hyperparameter search: how to choose hyperparameters, and how not to read the chosen one's score."""

TITLE = "Hyperparameter search"
POSITION = 75
