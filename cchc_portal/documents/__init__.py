"""Plan documents as the portal shows them, and their import: the orchestration above plans, tasks and indicators."""
