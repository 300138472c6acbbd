"""Public pages, one blueprint per surface."""
