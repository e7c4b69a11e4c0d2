"""SimPy simulation of the city's emergency response: arrivals, dispatch policies,
travel, on-scene and hospital times, KPIs, drills and replications.

Owns: simulated time and the statistics of runs. Must not: import a dispatch policy
(it is passed in), read the environment, or write to the live store.
"""
