"""The SimPy model of a service operation: one replication at a time.

Where things are, for a SimPy user: the environment and the queues are
:class:`~simsvc.sim.engine.Engine` (``engine.py``); a station's servers and their time
accounting ``station.py``, their shifts and the day's clock ``shifts.py``; customers arrive
through ``arrivals.py`` (a day's batch drawn by ``demand.py``) and walk their journey's steps
(``trips.py`` draws each customer's path, ``journey_moves.py`` moves it); ``routing.py`` and
``routing_moves.py`` choose servers and customers; ``patience.py`` handles abandonment; with
the quality model, ``quality_engine.py`` judges customers (``judging.py``, ``experience.py``)
and complaints go to ``complaint_desk.py`` (a station like the others) and are decided in
``complaints.py``; ``tally.py`` turns the records (``schema.py``) into KPIs as they stream.

Import :func:`simsvc.simulate` from the package root; the modules here are internal.
"""
