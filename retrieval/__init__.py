"""civicbot retrieval package."""
