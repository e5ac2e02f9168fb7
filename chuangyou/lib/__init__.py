"""Framework-light helpers shared by the apps and the command-line tools."""
