"""warrantwatch's edges: the command line, the replay driver and the Faust stream services.
They decode, call the pure core in `shared`, and encode; no contract math lives here."""
