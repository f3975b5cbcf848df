"""The SimPy model: demand, rota, engine, streaming tallies and replications.

Import :func:`simsvc.simulate` from the package root; the modules here are internal.
"""
