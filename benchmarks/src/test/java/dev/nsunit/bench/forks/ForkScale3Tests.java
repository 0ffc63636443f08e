package dev.nsunit.bench.forks;

/** One of eight classes of {@link ForkScaleWorkload}. */
class ForkScale3Tests extends ForkScaleWorkload {}
