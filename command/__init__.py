"""Emergency command decision support core."""
