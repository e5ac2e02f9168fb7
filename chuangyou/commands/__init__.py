"""Command-line tools that read and write files and need no database."""
