"""transcript@v1: every person's learning experiences (rules, the projection, its queries)."""
