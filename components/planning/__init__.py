"""Pure planning functions: plain data in, plain data out, no cloud SDK."""
