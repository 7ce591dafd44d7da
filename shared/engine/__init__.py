"""The in-process contract engine: input records in, output records out, no I/O.

`Engine` routes each record to the `SymbolEngine` of its symbol (one per terms file) and turns
every bad input into a `dead_letter`. The same records in the same order give the same output
records, byte for byte: nothing here reads a clock, a file or a socket.
"""

from shared.engine.engine import Engine, Output

__all__ = ["Engine", "Output"]
