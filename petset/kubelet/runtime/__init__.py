"""Container runtimes of the node agent."""
