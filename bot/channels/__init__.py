"""civicbot bot/channels package."""
