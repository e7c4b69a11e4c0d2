"""Erlang B and Erlang C: the exact results for M/M/c that validate the simulator.

Owns: closed-form queueing values (loss probability, probability of waiting, mean wait,
waiting-time tail, queue length, utilisation). Must not: simulate, or read settings.

Rates may be in any time unit (per hour, per second); times come back in the reciprocal
unit, so rates per hour give hours. The offered load ``A = lambda / mu`` is in Erlang.
These are core functions: they trust their input types and raise :class:`ValueError`
naming the parameter for values outside the model (a negative load, no servers, or an
unstable queue with ``A >= c``); the command line validates at its boundary first.

Formulas (REFERENCE.md 4c; Larson & Odoni, *Urban Operations Research*, 4.3):
Erlang B by the stable recursion ``B(A, 0) = 1, B(A, k) = A B(A, k-1) / (k + A B(A, k-1))``;
Erlang C ``C = c B / (c - A (1 - B))``; ``Wq = C / (c mu - lambda)``;
``P(W > t) = C exp(-(c mu - lambda) t)``; ``Lq = lambda Wq``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "MMcTheory",
    "erlang_b",
    "erlang_c",
    "mmc_mean_queue_length",
    "mmc_mean_wait",
    "mmc_p_wait",
    "mmc_p_wait_longer",
    "mmc_theory",
    "mmc_utilisation",
]


def _check_servers(servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers={servers!r}: must be a whole number of at least 1")


def _check_rate(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}={value!r}: must be a positive finite rate")


def erlang_b(load_erl: float, servers: int) -> float:
    """Probability that a call is lost in an M/M/c/c system (Erlang B).

    Parameters
    ----------
    load_erl : float
        Offered load ``A = lambda / mu`` in Erlang, ``>= 0``.
    servers : int
        Number of servers ``c >= 1``.

    Returns
    -------
    float
        ``B(A, c)`` in [0, 1].

    Raises
    ------
    ValueError
        If ``load_erl`` is negative or not finite, or ``servers`` is not a whole number >= 1.
    """
    _check_servers(servers)
    if not (math.isfinite(load_erl) and load_erl >= 0):
        raise ValueError(f"load_erl={load_erl!r}: must be a finite load of at least 0 Erlang")
    # The recursion never forms A^c or c!, so it neither overflows nor loses precision.
    b = 1.0
    for k in range(1, servers + 1):
        b = load_erl * b / (k + load_erl * b)
    return b


def erlang_c(load_erl: float, servers: int) -> float:
    """Probability that a call waits in an M/M/c queue (Erlang C).

    Parameters
    ----------
    load_erl : float
        Offered load ``A = lambda / mu`` in Erlang, ``0 <= A < servers``.
    servers : int
        Number of servers ``c >= 1``.

    Returns
    -------
    float
        ``C(A, c)`` in [0, 1].

    Raises
    ------
    ValueError
        If the parameters are invalid, or ``load_erl >= servers`` (the queue is unstable
        and grows without bound, so no steady state exists).
    """
    b = erlang_b(load_erl, servers)
    if load_erl >= servers:
        raise ValueError(
            f"load_erl={load_erl!r} with servers={servers!r}: the load must be below the number "
            f"of servers (utilisation {load_erl / servers:.4g} >= 1, the queue grows without bound)")
    return servers * b / (servers - load_erl * (1.0 - b))


def mmc_utilisation(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Server utilisation ``rho = lambda / (c mu)``; values >= 1 (unstable) are returned as they are.

    Parameters
    ----------
    arrival_rate, service_rate : float
        Arrival rate ``lambda`` and service rate per server ``mu``, same time unit, > 0.
    servers : int
        Number of servers ``c >= 1``.

    Raises
    ------
    ValueError
        If a rate is not positive and finite, or ``servers`` is not a whole number >= 1.
    """
    _check_rate("arrival_rate", arrival_rate)
    _check_rate("service_rate", service_rate)
    _check_servers(servers)
    return arrival_rate / (servers * service_rate)


def mmc_p_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arriving call waits, ``C(lambda / mu, c)``.

    Parameters are as in :func:`mmc_utilisation`.

    Raises
    ------
    ValueError
        If a rate is not positive, ``servers < 1``, or ``lambda >= c mu`` (unstable).
    """
    mmc_utilisation(arrival_rate, service_rate, servers)
    return erlang_c(arrival_rate / service_rate, servers)


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue ``Wq = C / (c mu - lambda)``, in the reciprocal unit of the rates.

    Parameters are as in :func:`mmc_utilisation`; rates per hour give hours.

    Raises
    ------
    ValueError
        As :func:`mmc_p_wait`.
    """
    c = mmc_p_wait(arrival_rate, service_rate, servers)
    return c / (servers * service_rate - arrival_rate)


def mmc_p_wait_longer(arrival_rate: float, service_rate: float, servers: int,
                      wait: float) -> float:
    """Probability that a call waits longer than ``wait``: ``C exp(-(c mu - lambda) wait)``.

    Parameters
    ----------
    arrival_rate, service_rate, servers
        As in :func:`mmc_utilisation`.
    wait : float
        Threshold, in the reciprocal unit of the rates, ``>= 0``. The service level
        "answered within t" is ``1 - mmc_p_wait_longer(..., t)``.

    Raises
    ------
    ValueError
        As :func:`mmc_p_wait`, or if ``wait`` is negative.
    """
    if not wait >= 0:
        raise ValueError(f"wait={wait!r}: must be at least 0")
    c = mmc_p_wait(arrival_rate, service_rate, servers)
    return c * math.exp(-(servers * service_rate - arrival_rate) * wait)


def mmc_mean_queue_length(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean number of calls waiting ``Lq = lambda Wq`` (Little's law).

    Raises
    ------
    ValueError
        As :func:`mmc_p_wait`.
    """
    return arrival_rate * mmc_mean_wait(arrival_rate, service_rate, servers)


@dataclass(frozen=True)
class MMcTheory:
    """The steady-state figures of one M/M/c queue, rates per hour, times in seconds."""

    arrival_rate_h: float
    service_rate_h: float
    servers: int
    load_erl: float
    utilisation: float
    p_wait: float
    mean_wait_s: float
    mean_queue_length: float

    def p_wait_longer(self, wait_s: float) -> float:
        """Probability of waiting more than ``wait_s`` seconds."""
        return mmc_p_wait_longer(self.arrival_rate_h, self.service_rate_h, self.servers,
                                 wait_s / 3600.0)


def mmc_theory(arrival_rate_h: float, service_rate_h: float, servers: int) -> MMcTheory:
    """All Erlang C figures of an M/M/c queue with rates per hour.

    Parameters
    ----------
    arrival_rate_h : float
        Calls per hour, > 0.
    service_rate_h : float
        Services per hour per server (``1 / mean service time``), > 0.
    servers : int
        Number of servers, >= 1.

    Returns
    -------
    MMcTheory

    Raises
    ------
    ValueError
        If a rate is not positive, ``servers < 1``, or the utilisation is >= 1.
    """
    wq_h = mmc_mean_wait(arrival_rate_h, service_rate_h, servers)
    return MMcTheory(
        arrival_rate_h=arrival_rate_h,
        service_rate_h=service_rate_h,
        servers=servers,
        load_erl=arrival_rate_h / service_rate_h,
        utilisation=mmc_utilisation(arrival_rate_h, service_rate_h, servers),
        p_wait=mmc_p_wait(arrival_rate_h, service_rate_h, servers),
        mean_wait_s=wq_h * 3600.0,
        mean_queue_length=arrival_rate_h * wq_h,
    )
