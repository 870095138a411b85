"""The HTTP surface: sessions, signed links, request guards, the server's limits."""
