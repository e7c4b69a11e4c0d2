"""SimPy simulation of the city's emergency response: arrivals, dispatch policies,
travel, on-scene and hospital times, KPIs, drills and replications.

Owns: simulated time and the statistics of runs. Must not: import a dispatch policy
(it is passed in), read the environment, or write to the live store.

Layout: ``erlang``, ``queue`` (the M/M/c yardstick) and ``stats`` (intervals);
``arrivals`` (Poisson calls by district, type and hour), ``world`` (units, posts,
hospitals, depots, travel tables of a variant), ``policies`` (nearest, optimiser,
move-up), ``city`` (the SimPy processes and their flat records), ``kpis`` (pure functions
over the records), ``experiment`` (variants x replications with common random numbers,
Dask), ``drills`` (drill files), ``report`` (HTML and CSV).
"""

from command.sim.drills import Drill, list_drills, load_drill
from command.sim.experiment import ExperimentResult, Variant, VariantResult, run_experiment
from command.sim.report import report_csv, report_html

__all__ = ["Drill", "ExperimentResult", "Variant", "VariantResult", "list_drills",
           "load_drill", "report_csv", "report_html", "run_experiment"]
