"""civicbot knowledge package."""
