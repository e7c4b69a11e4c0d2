"""Group decisions (issue #15): voting, AHP, Delphi and the session lifecycle, as pure code
over plain data.

Layout: ``ahp`` (pairwise matrices: checks, the principal eigenvector, consistency with
Saaty's random index, the group matrix, the CSV reader), ``voting`` (weighted majority,
approval and Borda count with one documented tie rule, pairwise majorities and the
Condorcet winner), ``delphi`` (round feedback: median and spread), ``agreement``
(Kendall's W), ``session`` (the session's specification, ballots and its lifecycle
draft -> open -> closed as a state machine) and ``tally`` (a closed session's result
with its diagnostics, one shape for every method).

Owns: the rules and the arithmetic of a group decision. Must not: touch the store, the
audit log, files or the clock (callers pass ``now``), or know about pages and the CLI.
"""

__all__ = ["ahp", "voting", "delphi", "agreement", "session", "tally"]
