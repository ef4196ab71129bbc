"""Differential tests: tinygrad_act against PyTorch, the referee."""
