"""Background jobs: their records (state, progress, result) and who may see them."""
