"""Image classification basics: nearest neighbours, linear classifiers and their losses, before any deep net."""

TITLE = "Image classification basics"
POSITION = 5
