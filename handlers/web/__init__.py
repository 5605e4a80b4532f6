"""Staff sign-in to the web console: one-time links, sessions (hashed tokens in SQL), the `/web` command."""
