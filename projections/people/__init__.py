"""people@v1: the roster with its history, linked identifiers, and the learners seen in statements."""
