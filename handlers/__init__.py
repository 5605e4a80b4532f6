"""civicbot handlers package."""
