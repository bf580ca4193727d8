"""The sync pipeline: pull -> map -> store -> evaluate -> push, and the sweep."""

from connector.pipeline.service import run_command
from connector.pipeline.summary import PulledCounts, PushedCounts, RunStatus, RunSummary

__all__ = ["PulledCounts", "PushedCounts", "RunStatus", "RunSummary", "run_command"]
