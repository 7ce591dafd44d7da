"""Sub-commands of the `warrantwatch` command line, one module each.

Every module here defines `register(subparsers)` which adds its parser and sets
`func=callable(args) -> int` on it; `services.cli` discovers the modules by name.
"""
