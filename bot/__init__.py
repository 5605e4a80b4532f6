"""civicbot: how it runs and connects (settings, composition root, CLI, channels)."""
