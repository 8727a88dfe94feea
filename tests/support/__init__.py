"""What tests and benchmarks share: the JACK rig and the word-error-rate metric.

Tests never import benchmarks/; benchmarks may import from here.
"""
