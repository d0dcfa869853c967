"""Automatic assignment (issue 17): propose a whole session's convocations at once.

* ``problem``: the instance (places to fill, people, the pairs the hard rules allow,
  the convocations already made) and the objective, as plain values;
* ``solver``: the proposal, by min-cost flow (OR-Tools) with a repair of the rules a
  flow cannot express (one half-day, the load cap);
* ``checker``: an independent check that a proposal breaks no hard rule;
* ``exact``: the proven optimum of small instances (HiGHS MILP), for the tests and the
  benchmark's optimality gap.

No database here: the instance is read from the session's missions by the caller.
"""
