"""What tests and benchmarks share: the JACK rig, the word-error-rate metric, an engine playing a
recording, and a process's children.

Tests never import benchmarks/; benchmarks may import from here.
"""
