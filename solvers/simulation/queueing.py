"""Closed forms for M/M/c queues (Erlang C): validation targets and staffing lower bounds."""

import math


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (offered load a = lambda / mu)."""
    if offered_load >= servers:
        return 1.0
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered_load / k
        total += term
    last = term * offered_load / servers / (1 - offered_load / servers)
    return last / (total + last)


def mmc_mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean waiting time in queue, Wq = C(c, a) / (c mu - lambda)."""
    if arrival_rate >= servers * service_rate:
        return math.inf
    return erlang_c(servers, arrival_rate / service_rate) / (servers * service_rate - arrival_rate)


def mmc_service_level(servers: int, arrival_rate: float, service_rate: float, wait: float) -> float:
    """P(Wq <= wait) = 1 - C(c, a) exp(-(c mu - lambda) wait)."""
    if arrival_rate >= servers * service_rate:
        return 0.0
    c = erlang_c(servers, arrival_rate / service_rate)
    return 1 - c * math.exp(-(servers * service_rate - arrival_rate) * wait)
