"""Generator processes, one module per family; each registers itself on import."""
