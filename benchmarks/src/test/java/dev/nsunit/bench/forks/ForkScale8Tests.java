package dev.nsunit.bench.forks;

/** One of eight classes of {@link ForkScaleWorkload}. */
class ForkScale8Tests extends ForkScaleWorkload {}
