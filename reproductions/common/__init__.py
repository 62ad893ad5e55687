"""Building blocks shared by the claims: datasets, probes, seeding."""
