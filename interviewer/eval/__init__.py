"""Checking a grader against human grades."""
