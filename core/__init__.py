"""Model-free helpers that several apps share; ``core`` imports no app of the portal."""
