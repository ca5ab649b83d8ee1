"""The version of nngraph, on its own so that ``nngraph --version`` loads nothing else."""

__version__ = "0.1.0"
