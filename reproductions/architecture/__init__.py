"""Claims about convolutional architecture (seeds 000, 002: 'Convolutional neural networks')."""

TITLE = "Architecture"
POSITION = 80
