package dev.nsunit.bench.forks;

/** One of eight classes of {@link ForkScaleWorkload}. */
class ForkScale7Tests extends ForkScaleWorkload {}
