"""Claims about data preprocessing: zero-centring, standardizing, whitening (seeds 001–004: "Data preprocessing")."""

TITLE = "Data preprocessing"
POSITION = 20
