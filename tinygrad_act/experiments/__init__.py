"""The experiments behind the CLI, the examples and the notebooks: each returns its numbers and can
format them as a table, so every front end shows the same results."""
