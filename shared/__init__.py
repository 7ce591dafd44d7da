"""warrantwatch's pure domain core: contract terms, calendar, market value, adjustments,
exercise and cap. No I/O and no clock of its own: every function is a function of its inputs.
Section numbers refer to the Glowpoint, Inc. warrant No. W-F-05 of March 14, 2005."""
