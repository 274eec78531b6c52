"""Belle II CDC at the hit level: wire geometry (basf2 CDC.xml), hit simulation with drift
times, TDC/ADC and beam background (``darkscan cdc simulate``), track finders (Legendre
baseline, GNN) and their evaluation with the CAT Finder paper's matching (arXiv:2411.13596).
The fast simulation (:mod:`darkscan.detector.fastsim`) does not use it."""
