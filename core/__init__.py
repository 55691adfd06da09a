"""Model-free helpers that several apps share (STYLE §1): the ground floor, importing no app of the portal."""
