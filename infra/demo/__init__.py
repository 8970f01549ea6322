"""Demo data per area: each module has seed() and ORDER."""
