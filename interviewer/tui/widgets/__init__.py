"""Widgets of the practice UI: the answer countdown, score charts, the feedback panel."""
