"""Search: what a question asks (its plan) and hybrid retrieval over the store."""
