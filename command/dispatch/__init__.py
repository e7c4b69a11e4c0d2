"""Dispatch decisions with OR-Tools: recommendations, team assignment, material
allocation, delivery routes, siting of posts and depots, and move-up.

Owns: turning a situation (units, incidents, stocks, travel times) into plans with ETAs
and reasons. Must not: read files, touch the store or know about the web; every model is
built, solved with a time limit and copied back into plain data inside one function.
"""
