package dev.nsunit.bench.forks;

/** One of eight classes of {@link ForkScaleWorkload}. */
class ForkScale5Tests extends ForkScaleWorkload {}
